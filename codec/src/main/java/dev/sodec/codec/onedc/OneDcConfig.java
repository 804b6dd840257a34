package dev.sodec.codec.onedc;

import dev.sodec.codec.onedc.net.IntraNoArConfig;
import dev.sodec.codec.sodec.NoiseSchedule;
import dev.sodec.codec.sodec.unet.UNetConfig;
import dev.sodec.engine.json.Config;

/**
 * What a OneDC model file's config says (written by {@code sodec convert --onedc}; weights-converter/README.md,
 * "OneDC"): {@code architecture} "onedc", {@code z_only}, {@code codec} (IntraNoAR kwargs), {@code unet} (the SD 1.5
 * UNet config with in_channels = ctrl_ch), {@code unet_latent_channels}, {@code vae} (the SD 2.1 AutoencoderKL
 * config with {@code attn_patch} and {@code scaling_factor}), {@code timestep} (999), {@code prediction_type}
 * ("epsilon") and the scaled_linear schedule ({@code beta_start, beta_end, num_train_timesteps}).
 *
 * @param vae the AutoencoderKL config JSON (read by the VAE's own loaders)
 * @param scalingFactor the VAE's scaling factor as the config states it (a double, as the reference's Python float)
 */
public record OneDcConfig(boolean zOnly, IntraNoArConfig codec, UNetConfig unet, int latentChannels, Config vae,
                          int timestep, double scalingFactor, NoiseSchedule schedule) {
    /** The config's architecture value. */
    public static final String ARCHITECTURE = "onedc";

    public static OneDcConfig from(Config j) {
        String arch = j.getString("architecture", "");
        if (!arch.equals(ARCHITECTURE)) throw new IllegalArgumentException("config: architecture '" + arch + "' is not '" + ARCHITECTURE + "'");
        IntraNoArConfig codec = IntraNoArConfig.from(j.getObject("codec"));
        UNetConfig unet = UNetConfig.from(j.getObject("unet"));
        if (unet.inChannels() != codec.ctrlCh()) {
            throw new IllegalArgumentException("config: the UNet takes " + unet.inChannels() + " channels, the codec's decoder gives ctrl_ch " + codec.ctrlCh());
        }
        for (int d : unet.crossAttentionDim()) {
            if (d != codec.semanticCh()) {
                throw new IllegalArgumentException("config: unet cross_attention_dim " + d + " != the semantic width unet_ch_config[-1] " + codec.semanticCh());
            }
        }
        int latent = j.getInt("unet_latent_channels", 4);
        Config vae = j.getObject("vae");
        if (vae.getInt("latent_channels", 4) != latent) {
            throw new IllegalArgumentException("config: vae latent_channels " + vae.getInt("latent_channels", 4) + " != unet_latent_channels " + latent);
        }
        if (vae.getInt("latent_channels", 4) != codec.condCh()) {
            throw new IllegalArgumentException("config: vae latent_channels " + vae.getInt("latent_channels", 4) + " != codec cond_ch " + codec.condCh());
        }
        String schedule = j.getString("beta_schedule", "scaled_linear");
        if (!schedule.equals("scaled_linear")) throw new IllegalArgumentException("config: beta_schedule '" + schedule + "' is not supported (scaled_linear)");
        int timestep = j.getInt("timestep", 999);
        NoiseSchedule ns = new NoiseSchedule(j.getDouble("beta_start", 0.00085), j.getDouble("beta_end", 0.012),
                j.getInt("num_train_timesteps", 1000), timestep, NoiseSchedule.Prediction.fromId(j.getString("prediction_type", "epsilon")));
        double sf = j.getDouble("scaling_factor", vae.getDouble("scaling_factor", 0.18215));
        if (!(sf > 0) || Double.isInfinite(sf)) throw new IllegalArgumentException("config: scaling_factor " + sf + " must be positive");
        return new OneDcConfig(j.getBool("z_only", false), codec, unet, latent, vae, timestep, sf, ns);
    }

    /** Whether an engine model file's config is a OneDC model's. */
    public static boolean isOneDc(Config j) {
        return j.has("architecture") && ARCHITECTURE.equals(j.asMap().get("architecture"));
    }
}
