package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.fsq.Fsq;
import dev.sodec.engine.json.Config;
import java.util.Arrays;

/**
 * The constructor arguments of OneDC's codec {@code IntraNoAR} (codec_module.py), as the model file's
 * {@code codec} object and the golden cases' configs give them. Release: cond 4, ctrl 320, internal 512,
 * bottleneck (N) 128, unet_ch_config [512, 768, 768] (the last is the semantic width S), z_fsq_levels [4]*7.
 */
public record IntraNoArConfig(int condCh, int ctrlCh, int internalCh, int bottleneckCh, int[] unetChConfig, int[] fsqLevels) {
    /** Channels of the pixel embedding and of its fusion with the latent (hard-coded in the reference). */
    public static final int PIX_EMB = 192, PIX_FUSION = 320;
    /** pix_emb's kernel and stride: the image-to-latent factor. */
    public static final int PIX_PATCH = 8;

    public IntraNoArConfig {
        unetChConfig = unetChConfig.clone();
        fsqLevels = fsqLevels.clone();
        positive("cond_ch", condCh);
        positive("ctrl_ch", ctrlCh);
        positive("internal_ch", internalCh);
        positive("bottleneck_ch", bottleneckCh);
        if (bottleneckCh % 4 != 0) throw new IllegalArgumentException("config: bottleneck_ch " + bottleneckCh + " must be a multiple of 4 (four-part prior)");
        if (internalCh % 2 != 0) throw new IllegalArgumentException("config: internal_ch " + internalCh + " must be even");
        if (unetChConfig.length != 3) throw new IllegalArgumentException("config: unet_ch_config needs 3 entries, got " + Arrays.toString(unetChConfig));
        for (int c : unetChConfig) positive("unet_ch_config", c);
        new Fsq(fsqLevels); // validates the levels
    }

    public static IntraNoArConfig from(Config c) {
        return new IntraNoArConfig(c.getInt("cond_ch", 4), c.getInt("ctrl_ch", 320), c.getInt("internal_ch", 512),
                c.getInt("bottleneck_ch", 128), c.has("unet_ch_config") ? c.getIntList("unet_ch_config") : new int[] {512, 768, 768},
                c.has("z_fsq_levels") ? c.getIntList("z_fsq_levels") : new int[] {4, 4, 4, 4, 4, 4, 4});
    }

    /** N: y's channels. */
    public int n() { return bottleneckCh; }

    /** S: the semantic width (unet_ch_config[-1]), the UNet's cross-attention width. */
    public int semanticCh() { return unetChConfig[unetChConfig.length - 1]; }

    /** z's channels: one per FSQ level. */
    public int zCh() { return fsqLevels.length; }

    @Override
    public int[] unetChConfig() { return unetChConfig.clone(); }

    @Override
    public int[] fsqLevels() { return fsqLevels.clone(); }

    public Fsq fsq() { return new Fsq(fsqLevels); }

    private static void positive(String key, int v) {
        if (v < 1) throw new IllegalArgumentException("config: " + key + " = " + v + " must be positive");
    }
}
