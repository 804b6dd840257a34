package dev.sodec.codec.bench;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.onedc.OneDcConfig;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.onedc.OneDcNetworks;
import dev.sodec.codec.onedc.net.IntraNoArConfig;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A OneDC model with random weights (see {@link RandomWeights}) for speed measurements without a release: built from
 * the same config JSON a converted model file carries, so the work per encode and decode is the real model's. The
 * {@code onedc} preset has the released sizes: the codec of config_inference.yaml (~394M parameters), the SD 1.5
 * UNet (~860M) with a 320-channel conv_in, the SD 2.1 VAE (encoder and decoder, 16x16 attention windows).
 */
public final class RandomOneDc {
    /** The released model's sizes. */
    public static final String ONEDC = """
            {"architecture": "onedc", "z_only": false,
             "codec": {"cond_ch": 4, "ctrl_ch": 320, "internal_ch": 512, "bottleneck_ch": 128,
                       "unet_ch_config": [512, 768, 768], "z_fsq_levels": [4, 4, 4, 4, 4, 4, 4]},
             "unet": {"block_out_channels": [320, 640, 1280, 1280], "attention_head_dim": 8, "cross_attention_dim": 768,
                      "layers_per_block": 2, "in_channels": 320, "out_channels": 4, "norm_num_groups": 32},
             "unet_latent_channels": 4,
             "vae": {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "latent_channels": 4,
                     "norm_num_groups": 32, "in_channels": 3, "out_channels": 3, "scaling_factor": 0.18215, "attn_patch": 16,
                     "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                     "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]},
             "timestep": 999, "scaling_factor": 0.18215, "prediction_type": "epsilon"}
            """;

    /** The same graph at toy widths: for tests and smoke runs. */
    public static final String TINY = """
            {"architecture": "onedc", "z_only": false,
             "codec": {"cond_ch": 4, "ctrl_ch": 32, "internal_ch": 64, "bottleneck_ch": 32,
                       "unet_ch_config": [32, 32, 32], "z_fsq_levels": [4, 4, 4, 4, 4, 4, 4]},
             "unet": {"block_out_channels": [32, 32], "attention_head_dim": 2, "cross_attention_dim": 32,
                      "layers_per_block": 1, "in_channels": 32, "out_channels": 4, "norm_num_groups": 32,
                      "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]},
             "unet_latent_channels": 4,
             "vae": {"block_out_channels": [32, 32, 32, 32], "layers_per_block": 1, "latent_channels": 4,
                     "norm_num_groups": 32, "in_channels": 3, "out_channels": 3, "scaling_factor": 0.18215, "attn_patch": 16,
                     "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                     "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]},
             "timestep": 999, "scaling_factor": 0.18215, "prediction_type": "epsilon"}
            """;

    public final String name;
    public final OneDcModel model;
    /** Parameters generated, all networks. */
    public final long parameters;

    private RandomOneDc(String name, OneDcModel model, long parameters) {
        this.name = name;
        this.model = model;
        this.parameters = parameters;
    }

    /** By preset name ({@code onedc}, {@code onedc-tiny}). */
    public static RandomOneDc preset(String name, long seed) {
        return switch (name) {
            case "onedc" -> fromConfig("random-onedc", Config.parse(ONEDC, "onedc preset"), seed);
            case "onedc-tiny" -> fromConfig("random-onedc-tiny", Config.parse(TINY, "onedc-tiny preset"), seed);
            default -> throw new IllegalArgumentException("unknown random OneDC preset '" + name + "' (onedc, onedc-tiny)");
        };
    }

    public static RandomOneDc fromConfig(String name, Config cfg, long seed) {
        OneDcConfig c = OneDcConfig.from(cfg);
        // the optional encode side is loaded only when its first key exists: give those keys up front
        int vae0 = cfg.getObject("vae").getIntList("block_out_channels")[0];
        Map<String, Tensor> preset = new LinkedHashMap<>();
        preset.put("codec.enc.pix_emb.weight", RandomWeights.random("pix_emb.weight", new int[] {IntraNoArConfig.PIX_EMB, 3,
                IntraNoArConfig.PIX_PATCH, IntraNoArConfig.PIX_PATCH}, seed));
        preset.put("vae.encoder.conv_in.weight", RandomWeights.random("conv_in.weight", new int[] {vae0, 3, 3, 3}, seed + 1));
        RandomWeights.Built<OneDcNetworks> b = RandomWeights.build(sd -> OneDcNetworks.load(sd, c), preset, seed + 2);
        long n = 0;
        for (Tensor t : b.weights().values()) n += t.numel();
        return new RandomOneDc(name, OneDcModel.of(c, b.model(), new byte[CompressionModel.ID_BYTES]), n);
    }
}
