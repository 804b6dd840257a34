package dev.sodec.codec.sodec.vit;

import static dev.sodec.codec.sodec.ConfigChecks.reqPositive;

import dev.sodec.engine.json.Config;

/** transformers CLIPVisionConfig (defaults as transformers has them: ViT-B/32 sizes, quick_gelu). */
public record ClipVisionConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                               int numChannels, int imageSize, int patchSize, Activation hiddenAct, float layerNormEps) {

    /** The MLP activations of transformers' ACT2FN that CLIP checkpoints use. */
    public enum Activation {
        QUICK_GELU, GELU_ERF, GELU_TANH;

        static Activation fromTransformers(String name) {
            return switch (name) {
                case "quick_gelu" -> QUICK_GELU;
                case "gelu" -> GELU_ERF;
                case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
                default -> throw new IllegalArgumentException("config key 'hidden_act' = '" + name + "' is not supported");
            };
        }
    }

    public ClipVisionConfig {
        if (hiddenSize < 1 || intermediateSize < 1 || numHiddenLayers < 1 || numAttentionHeads < 1 || numChannels < 1
                || imageSize < 1 || patchSize < 1 || !(layerNormEps > 0)) {
            throw new IllegalArgumentException("invalid CLIP vision config " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("config: hidden_size " + hiddenSize + " does not split into num_attention_heads " + numAttentionHeads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("config: image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        }
    }

    /** Patches per image plus the class token. */
    public int numPositions() {
        int g = imageSize / patchSize;
        return Math.addExact(Math.multiplyExact(g, g), 1);
    }

    /** From a CLIPVisionConfig dict, or a full CLIPConfig (its {@code vision_config} is used). */
    public static ClipVisionConfig from(Config c) {
        if (c.has("vision_config")) c = c.getObject("vision_config");
        return new ClipVisionConfig(reqPositive(c, "hidden_size", 768), reqPositive(c, "intermediate_size", 3072),
                reqPositive(c, "num_hidden_layers", 12), reqPositive(c, "num_attention_heads", 12),
                reqPositive(c, "num_channels", 3), reqPositive(c, "image_size", 224), reqPositive(c, "patch_size", 32),
                Activation.fromTransformers(c.getString("hidden_act", "quick_gelu")), (float) c.getDouble("layer_norm_eps", 1e-5));
    }
}
