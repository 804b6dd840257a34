package dev.sodec.codec.bench;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.entropy.EntropyBottleneck;
import dev.sodec.codec.entropy.GaussianConditional;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A SODEC-shaped model with random weights for speed measurements without a checkpoint: a mbt2018-mean compression
 * model (N, M), a CLIP vision tower, an SD UNet and an SD VAE decoder, each built from a config (the same JSON the
 * model files carry), so the work per decode is that of the real model. Weights are generated in memory (see
 * {@link RandomWeights}), never stored.
 *
 * <p>Config JSON: {@code {"compression": {"N": 192, "M": 320}, "vit": {...CLIPVisionConfig}, "unet": {...diffusers
 * UNet2DConditionModel config}, "vae": {...diffusers AutoencoderKL config}}}. The UNet's cross_attention_dim must
 * equal the ViT width (the guidance projection keeps the width in SODEC).
 */
public final class RandomModel {
    /** SD 2.1 UNet, ViT-L/14 at 224, SD VAE, compression N=192 M=320: the paper's decoder at full size. */
    public static final String SD21 = """
            {"compression": {"N": 192, "M": 320},
             "vit": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24, "num_attention_heads": 16,
                     "image_size": 224, "patch_size": 14, "hidden_act": "quick_gelu"},
             "unet": {"block_out_channels": [320, 640, 1280, 1280], "attention_head_dim": [5, 10, 20, 20],
                      "cross_attention_dim": 1024, "use_linear_projection": true, "layers_per_block": 2,
                      "in_channels": 4, "out_channels": 4},
             "vae": {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "latent_channels": 4,
                     "norm_num_groups": 32, "out_channels": 3,
                     "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}}
            """;

    /** The same graph at toy widths: for tests and smoke runs (builds and decodes 64x64 in well under a second). */
    public static final String TINY = """
            {"compression": {"N": 16, "M": 24},
             "vit": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 3, "num_attention_heads": 2,
                     "image_size": 28, "patch_size": 14, "hidden_act": "quick_gelu"},
             "unet": {"block_out_channels": [32, 64], "attention_head_dim": [2, 4], "cross_attention_dim": 32,
                      "norm_num_groups": 8, "layers_per_block": 1, "use_linear_projection": true,
                      "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                      "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "in_channels": 4, "out_channels": 4},
             "vae": {"block_out_channels": [32, 64], "layers_per_block": 1, "latent_channels": 4,
                     "norm_num_groups": 8, "out_channels": 3,
                     "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}}
            """;

    public final String name;
    public final CompressionModel compression;
    public final ClipVisionModel vit;
    public final int vitImageSize;
    public final UNet2DConditionModel unet;
    public final VaeDecoder vae;
    /** Image pixels per latent pixel of the VAE (8 for SD). */
    public final int vaeFactor;
    /** Parameters generated, all networks. */
    public final long parameters;

    private RandomModel(String name, CompressionModel compression, ClipVisionModel vit, int vitImageSize,
                        UNet2DConditionModel unet, VaeDecoder vae, int vaeFactor, long parameters) {
        this.name = name;
        this.compression = compression;
        this.vit = vit;
        this.vitImageSize = vitImageSize;
        this.unet = unet;
        this.vae = vae;
        this.vaeFactor = vaeFactor;
        this.parameters = parameters;
    }

    /** By preset name ({@code sd21}, {@code tiny}). */
    public static RandomModel preset(String name, long seed) {
        return switch (name) {
            case "sd21" -> fromConfig("random-sd21", Config.parse(SD21, "sd21 preset"), seed);
            case "tiny" -> fromConfig("random-tiny", Config.parse(TINY, "tiny preset"), seed);
            default -> throw new IllegalArgumentException("unknown random model preset '" + name + "' (sd21, tiny)");
        };
    }

    public static RandomModel fromConfig(String name, Config cfg, long seed) {
        Config cc = cfg.getObject("compression");
        CompressionConfig comp = new CompressionConfig(Architecture.MBT2018_MEAN, cc.getInt("N"), cc.getInt("M"));
        Config vitCfg = cfg.getObject("vit"), unetCfg = cfg.getObject("unet"), vaeCfg = cfg.getObject("vae");

        Map<String, Tensor> entropy = entropyTables(comp.N(), seed);
        RandomWeights.Built<CompressionModel> c = RandomWeights.build(sd -> CompressionModel.fromWeights(
                weightsOf(sd), comp, new byte[CompressionModel.ID_BYTES], name),
                entropy, seed);
        RandomWeights.Built<ClipVisionModel> v = RandomWeights.build(sd -> ClipVisionModel.load(sd, vitCfg), Map.of(), seed + 1);
        RandomWeights.Built<UNet2DConditionModel> u = RandomWeights.build(sd -> UNet2DConditionModel.load(sd, unetCfg), Map.of(), seed + 2);
        RandomWeights.Built<VaeDecoder> d = RandomWeights.build(sd -> VaeDecoder.load(sd, vaeCfg), Map.of(), seed + 3);
        int vitWidth = vitCfg.getInt("hidden_size");
        int[] cross = unetCfg.getIntList("cross_attention_dim");
        for (int x : cross) {
            if (x != vitWidth) {
                throw new IllegalArgumentException("random model config: unet cross_attention_dim " + x + " != vit hidden_size " + vitWidth);
            }
        }
        int levels = vaeCfg.getIntList("block_out_channels").length;
        long params = count(c.weights()) + count(v.weights()) + count(u.weights()) + count(d.weights());
        return new RandomModel(name, c.model(), v.model(), vitCfg.getInt("image_size"), u.model(), d.model(),
                1 << (levels - 1), params);
    }

    /**
     * CompressionModel.fromWeights takes a map, not a StateDict; RandomWeights hands us a StateDict over its current
     * map, so read the tensors back out of it (every key, taken so they count as consumed).
     */
    private static Map<String, Tensor> weightsOf(StateDict sd) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : sd.keys()) m.put(k, sd.take(k));
        return m;
    }

    private static long count(Map<String, Tensor> w) {
        long n = 0;
        for (Tensor t : w.values()) n += t.numel();
        return n;
    }

    /**
     * Entropy-model buffers that are valid distributions: CompressAI's initial EntropyBottleneck (filters 3,3,3,3,
     * init_scale 10, biases uniform in +-0.5) and the default Gaussian scale table, with the CDF tables built by
     * the entropy package exactly as CompressAI's update() would.
     */
    static Map<String, Tensor> entropyTables(int n, long seed) {
        Random r = new Random(seed);
        int[] width = {1, 3, 3, 3, 3, 1};
        double scale = Math.pow(10.0, 1.0 / width.length);
        Map<String, Tensor> eb = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            int out = width[i + 1], in = width[i];
            float init = (float) Math.log(Math.expm1(1 / scale / out));
            float[] m = new float[n * out * in];
            java.util.Arrays.fill(m, init);
            eb.put("_matrix" + i, Tensor.fromFloats(m, n, out, in));
            float[] b = new float[n * out];
            for (int j = 0; j < b.length; j++) b[j] = r.nextFloat() - 0.5f;
            eb.put("_bias" + i, Tensor.fromFloats(b, n, out, 1));
            if (i < 4) eb.put("_factor" + i, Tensor.fromFloats(new float[n * out], n, out, 1));
        }
        float[] q = new float[n * 3];
        for (int c = 0; c < n; c++) {
            q[3 * c] = -10f;
            q[3 * c + 2] = 10f;
        }
        eb.put("quantiles", Tensor.fromFloats(q, n, 1, 3));
        float t = (float) Math.log(2 / 1e-9 - 1);
        eb.put("target", Tensor.fromFloats(new float[] {-t, 0, t}, 3));
        eb.put("likelihood_lower_bound.bound", Tensor.fromFloats(new float[] {1e-9f}, 1));
        eb.putAll(EntropyBottleneck.load(new StateDict(eb, "random entropy bottleneck"), true).tableBuffers());

        Map<String, Tensor> gc = new LinkedHashMap<>();
        float[] table = GaussianConditional.defaultScaleTable();
        gc.put("scale_table", Tensor.fromFloats(table, table.length));
        gc.put("lower_bound_scale.bound", Tensor.fromFloats(new float[] {table[0]}, 1));
        gc.put("likelihood_lower_bound.bound", Tensor.fromFloats(new float[] {1e-9f}, 1));
        gc.putAll(GaussianConditional.load(new StateDict(gc, "random gaussian conditional")).tableBuffers());

        Map<String, Tensor> all = new LinkedHashMap<>();
        eb.forEach((k, v) -> all.put("entropy_bottleneck." + k, v));
        gc.forEach((k, v) -> all.put("gaussian_conditional." + k, v));
        return all;
    }
}
