package dev.sodec.codec.sodec.vae;

import static dev.sodec.codec.sodec.ConfigChecks.perBlock;
import static dev.sodec.codec.sodec.ConfigChecks.reqPositive;
import static dev.sodec.codec.sodec.ConfigChecks.requireAtLeast;
import static dev.sodec.codec.sodec.ConfigChecks.requireDefault;

import dev.sodec.engine.json.Config;
import java.util.List;

/**
 * The decode-path subset of diffusers' AutoencoderKL config (0.25 semantics). Encoder-only keys
 * (down_block_types, in_channels) and pipeline-side values other than scaling_factor (shift_factor, latents_mean)
 * are ignored; options that change the decoder and are not implemented are rejected by name.
 *
 * @param attnPatch OneDC's {@code AutoencoderKL_patch_attn}: the mid-block attention runs on non-overlapping square
 *     windows of this many latent pixels (edge windows partial, GroupNorm per window); 0 (no {@code attn_patch}
 *     key) attends over the whole latent as diffusers does
 */
public record VaeDecoderConfig(int latentChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                               int normNumGroups, boolean usePostQuantConv, boolean midBlockAddAttention,
                               float scalingFactor, int attnPatch) {
    /** Every GroupNorm of the diffusers VAE uses this eps. */
    public static final float NORM_EPS = 1e-6f;

    public int levels() { return blockOutChannels.length; }

    /** The {@code attn_patch} entry (OneDC's window side), 0 when absent. */
    static int attnPatch(Config c) {
        if (!c.has("attn_patch")) return 0;
        int p = c.getInt("attn_patch");
        if (p < 1) throw new IllegalArgumentException("config key 'attn_patch' = " + p + " must be positive");
        return p;
    }

    public static VaeDecoderConfig from(Config c) {
        requireDefault(c, "act_fn", "silu");
        requireDefault(c, "norm_type", "group");
        int[] boc = c.has("block_out_channels") ? c.getIntList("block_out_channels") : new int[] {64};
        requireAtLeast("block_out_channels", boc, 1);
        int n = boc.length;
        List<String> up = c.has("up_block_types") ? c.getStringList("up_block_types") : List.of("UpDecoderBlock2D");
        if (up.size() != n) {
            throw new IllegalArgumentException("config: block_out_channels has " + n + " entries but up_block_types " + up.size());
        }
        for (String t : up) {
            if (!t.equals("UpDecoderBlock2D")) throw new IllegalArgumentException("config: up block type '" + t + "' is not supported");
        }
        int layers = perBlock(c, "layers_per_block", 1, 1)[0];
        if (layers < 1) throw new IllegalArgumentException("config key 'layers_per_block' = " + layers + " must be positive");
        int groups = reqPositive(c, "norm_num_groups", 32);
        for (int i = 0; i < n; i++) {
            if (boc[i] % groups != 0) {
                throw new IllegalArgumentException("config: block_out_channels[" + i + "] = " + boc[i] + " does not split into norm_num_groups = " + groups);
            }
        }
        return new VaeDecoderConfig(reqPositive(c, "latent_channels", 4), reqPositive(c, "out_channels", 3), boc, layers,
                groups, c.getBool("use_post_quant_conv", true), c.getBool("mid_block_add_attention", true),
                (float) c.getDouble("scaling_factor", 0.18215), attnPatch(c));
    }
}
