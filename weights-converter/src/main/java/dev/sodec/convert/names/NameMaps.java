package dev.sodec.convert.names;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a reference library's weight names to the engine's. Engine layers are named after the checkpoint keys of
 * the reference modules (diffusers, CompressAI, transformers 5.x), so for those namings the map is the identity;
 * other schemes (LDM single files, transformers 4.x prefixes) are translated here. LoRA key schemes are resolved in
 * {@code dev.sodec.convert.lora}.
 */
public final class NameMaps {
    private NameMaps() {}

    /** The prefix transformers 4.x CLIP checkpoints (and full CLIPModel files) put before the vision tower. */
    public static final String CLIP_VISION_PREFIX = "vision_model.";

    /**
     * Engine-named weights from weights named in {@code naming} (a golden/checkpoint naming value). {@code ldm}
     * gives the UNet under {@code unet.} and the VAE under {@code vae.} (the SODEC pipeline prefixes).
     */
    public static Map<String, Tensor> toEngine(String naming, Map<String, Tensor> weights) {
        return switch (naming) {
            case "none", "diffusers", "compressai", "sodec-ref" -> new LinkedHashMap<>(weights);
            case "transformers" -> clipVision(weights);
            case "ldm" -> {
                try {
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    LdmNames.unet(LdmNames.under(weights, LdmNames.UNET_PREFIX), "ldm").forEach((k, v) -> out.put("unet." + k, v));
                    LdmNames.vae(LdmNames.under(weights, LdmNames.VAE_PREFIX), "ldm").forEach((k, v) -> out.put("vae." + k, v));
                    yield out;
                } catch (CheckpointException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unknown weight naming '" + naming + "'");
        };
    }

    /**
     * transformers CLIP vision weights in 5.x naming: the 4.x / hub {@code vision_model.} prefix is removed, the
     * {@code position_ids} buffer (an arange some files carry) is dropped, and so are the text tower and projections
     * of a full CLIPModel file.
     */
    public static Map<String, Tensor> clipVision(Map<String, Tensor> weights) {
        boolean prefixed = weights.keySet().stream().anyMatch(k -> k.startsWith(CLIP_VISION_PREFIX));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            String k = e.getKey();
            if (prefixed) {
                if (!k.startsWith(CLIP_VISION_PREFIX)) continue; // text_model.*, visual_projection, logit_scale ...
                k = k.substring(CLIP_VISION_PREFIX.length());
            }
            if (k.equals("embeddings.position_ids")) continue;
            out.put(k, e.getValue());
        }
        return out;
    }
}
