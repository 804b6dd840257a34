package dev.sodec.codec.sodec;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.sodec.unet.UNetConfig;
import dev.sodec.codec.sodec.vae.VaeDecoderConfig;
import dev.sodec.codec.sodec.vit.ClipVisionConfig;
import dev.sodec.engine.json.Config;

/**
 * Everything a SODEC model file's config says (JSON keys as in the {@code pipeline.sodec} golden case):
 * {@code N, M} (compression; {@code architecture} defaults to mbt2018-mean), {@code C, Cl} (Ts), {@code cross_dim}
 * (Fp output, = the UNet's cross_attention_dim), {@code vit} (transformers CLIPVisionConfig), {@code unet} (diffusers
 * UNet2DConditionModel config), {@code vae} (diffusers AutoencoderKL config), {@code timestep} (999),
 * {@code scaling_factor} (0.18215), {@code beta_start, beta_end, num_train_timesteps} (0.00085, 0.012, 1000),
 * {@code beta_schedule} (only "scaled_linear") and {@code prediction_type} ("epsilon" or "v_prediction").
 */
public record SodecConfig(CompressionConfig compression, int c, int cl, int crossDim, ClipVisionConfig vit,
                          UNetConfig unet, VaeDecoderConfig vae, int timestep, float scalingFactor,
                          NoiseSchedule schedule) {

    /** The config key whose presence marks a model file as a full SODEC model (with a generative decoder). */
    public static final String GENERATIVE_MARKER = "unet";

    /** Which ViT hidden state conditions the UNet: the penultimate layer, as SD 2.x image-variation models do. */
    public static final int VIT_HIDDEN_STATE = -2;

    public static SodecConfig from(Config j) {
        Architecture arch = Architecture.fromId(j.getString("architecture", Architecture.MBT2018_MEAN.id));
        CompressionConfig cc = new CompressionConfig(arch, j.getInt("N"), j.getInt("M"));
        int c = ConfigChecks.reqPositive(j, "C", 0), cl = ConfigChecks.reqPositive(j, "Cl", 0);
        if (c > CompressionConfig.MAX_CHANNELS || cl > CompressionConfig.MAX_CHANNELS) {
            throw new IllegalArgumentException("config: C=" + c + " Cl=" + cl + " out of range 1.." + CompressionConfig.MAX_CHANNELS);
        }
        ClipVisionConfig vit = ClipVisionConfig.from(j.getObject("vit"));
        UNetConfig unet = UNetConfig.from(j.getObject("unet"));
        VaeDecoderConfig vae = VaeDecoderConfig.from(j.getObject("vae"));
        int crossDim = j.getInt("cross_dim", unet.crossAttentionDim()[0]);
        for (int d : unet.crossAttentionDim()) {
            if (d != crossDim) throw new IllegalArgumentException("config: cross_dim " + crossDim + " != unet cross_attention_dim " + d);
        }
        if (unet.outChannels() != unet.inChannels() || unet.inChannels() != vae.latentChannels()) {
            throw new IllegalArgumentException("config: unet in/out channels " + unet.inChannels() + "/" + unet.outChannels()
                    + " and vae latent_channels " + vae.latentChannels() + " must agree");
        }
        String schedule = j.getString("beta_schedule", "scaled_linear");
        if (!schedule.equals("scaled_linear")) {
            throw new IllegalArgumentException("config: beta_schedule '" + schedule + "' is not supported (scaled_linear)");
        }
        int timestep = j.getInt("timestep", 999);
        NoiseSchedule ns = new NoiseSchedule(j.getDouble("beta_start", 0.00085), j.getDouble("beta_end", 0.012),
                j.getInt("num_train_timesteps", 1000), timestep,
                NoiseSchedule.Prediction.fromId(j.getString("prediction_type", "epsilon")));
        float sf = (float) j.getDouble("scaling_factor", 0.18215);
        if (!(sf > 0) || Float.isInfinite(sf)) throw new IllegalArgumentException("config: scaling_factor " + sf + " must be positive");
        return new SodecConfig(cc, c, cl, crossDim, vit, unet, vae, timestep, sf, ns);
    }
}
