package dev.sodec.codec.sodec.unet;

import static dev.sodec.codec.sodec.ConfigChecks.perBlock;
import static dev.sodec.codec.sodec.ConfigChecks.reqPositive;
import static dev.sodec.codec.sodec.ConfigChecks.requireAtLeast;
import static dev.sodec.codec.sodec.ConfigChecks.requireDefault;

import dev.sodec.engine.json.Config;
import java.util.List;

/**
 * The subset of diffusers' UNet2DConditionModel config (0.25 semantics) used by SD 1.x/2.x: every value the network
 * depends on, resolved to one entry per down level. Missing keys take diffusers' defaults; options that change the
 * graph in ways this engine does not implement are rejected by name.
 *
 * @param heads per down level; diffusers' {@code attention_head_dim} is, for historical reasons, the NUMBER of heads
 */
public record UNetConfig(int inChannels, int outChannels, int[] blockOutChannels, List<String> downBlockTypes,
                         List<String> upBlockTypes, int[] layersPerBlock, int[] transformerLayersPerBlock,
                         int[] crossAttentionDim, int[] heads, int normNumGroups, float normEps,
                         boolean useLinearProjection, boolean flipSinToCos, float freqShift, int downsamplePadding,
                         float midBlockScaleFactor, int timeEmbedDim, int convInKernel, int convOutKernel) {

    public static final String CROSS_DOWN = "CrossAttnDownBlock2D", DOWN = "DownBlock2D";
    public static final String CROSS_UP = "CrossAttnUpBlock2D", UP = "UpBlock2D";
    public static final String MID = "UNetMidBlock2DCrossAttn";

    public int levels() { return blockOutChannels.length; }

    public static UNetConfig from(Config c) {
        rejectUnsupported(c);
        int[] boc = c.has("block_out_channels") ? c.getIntList("block_out_channels") : new int[] {320, 640, 1280, 1280};
        int n = boc.length;
        requireAtLeast("block_out_channels", boc, 1);
        List<String> down = c.has("down_block_types") ? c.getStringList("down_block_types")
                : List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN);
        List<String> up = c.has("up_block_types") ? c.getStringList("up_block_types")
                : List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP);
        if (down.size() != n || up.size() != n) {
            throw new IllegalArgumentException("config: block_out_channels has " + n + " entries but down_block_types "
                    + down.size() + " and up_block_types " + up.size());
        }
        for (String t : down) {
            if (!t.equals(CROSS_DOWN) && !t.equals(DOWN)) throw new IllegalArgumentException("config: down block type '" + t + "' is not supported");
        }
        for (String t : up) {
            if (!t.equals(CROSS_UP) && !t.equals(UP)) throw new IllegalArgumentException("config: up block type '" + t + "' is not supported");
        }
        String mid = c.getString("mid_block_type", MID);
        if (!mid.equals(MID)) throw new IllegalArgumentException("config: mid_block_type '" + mid + "' is not supported");
        int[] layers = perBlock(c, "layers_per_block", n, 2);
        requireAtLeast("layers_per_block", layers, 1);
        int[] tlayers = perBlock(c, "transformer_layers_per_block", n, 1);
        requireAtLeast("transformer_layers_per_block", tlayers, 1);
        int[] cross = perBlock(c, "cross_attention_dim", n, 1280);
        requireAtLeast("cross_attention_dim", cross, 1);
        int[] heads = perBlock(c, "attention_head_dim", n, 8);
        requireAtLeast("attention_head_dim", heads, 1);
        int groups = reqPositive(c, "norm_num_groups", 32);
        for (int i = 0; i < n; i++) {
            if (boc[i] % heads[i] != 0) {
                throw new IllegalArgumentException("config: block_out_channels[" + i + "] = " + boc[i]
                        + " does not split into attention_head_dim[" + i + "] = " + heads[i] + " heads");
            }
            if (boc[i] % groups != 0) {
                throw new IllegalArgumentException("config: block_out_channels[" + i + "] = " + boc[i]
                        + " does not split into norm_num_groups = " + groups);
            }
        }
        int timeEmbedDim = c.has("time_embedding_dim") ? reqPositive(c, "time_embedding_dim", 0) : 4 * boc[0];
        int kin = reqPositive(c, "conv_in_kernel", 3), kout = reqPositive(c, "conv_out_kernel", 3);
        if (kin % 2 == 0 || kout % 2 == 0) throw new IllegalArgumentException("config: conv_in_kernel/conv_out_kernel must be odd");
        return new UNetConfig(reqPositive(c, "in_channels", 4), reqPositive(c, "out_channels", 4), boc, down, up,
                layers, tlayers, cross, heads, groups, (float) c.getDouble("norm_eps", 1e-5),
                c.getBool("use_linear_projection", false), c.getBool("flip_sin_to_cos", true),
                (float) c.getDouble("freq_shift", 0), c.getInt("downsample_padding", 1),
                (float) c.getDouble("mid_block_scale_factor", 1), timeEmbedDim, kin, kout);
    }

    /** Options of UNet2DConditionModel that change the graph and are not implemented here. */
    private static void rejectUnsupported(Config c) {
        if (c.asMap().containsKey("norm_num_groups") && c.asMap().get("norm_num_groups") == null) {
            throw new IllegalArgumentException("config key 'norm_num_groups' = null (no output norm) is not supported");
        }
        requireDefault(c, "num_attention_heads", null);
        requireDefault(c, "center_input_sample", false);
        requireDefault(c, "downsample_padding", 1); // 0 means diffusers' asymmetric pad, not implemented
        requireDefault(c, "only_cross_attention", false);
        requireDefault(c, "dual_cross_attention", false);
        requireDefault(c, "act_fn", "silu");
        requireDefault(c, "time_embedding_type", "positional");
        requireDefault(c, "time_embedding_act_fn", null);
        requireDefault(c, "timestep_post_act", null);
        requireDefault(c, "time_cond_proj_dim", null);
        requireDefault(c, "resnet_time_scale_shift", "default");
        requireDefault(c, "resnet_skip_time_act", false);
        requireDefault(c, "resnet_out_scale_factor", 1.0);
        requireDefault(c, "class_embed_type", null);
        requireDefault(c, "num_class_embeds", null);
        requireDefault(c, "addition_embed_type", null);
        requireDefault(c, "encoder_hid_dim", null);
        requireDefault(c, "encoder_hid_dim_type", null);
        requireDefault(c, "cross_attention_norm", null);
        requireDefault(c, "attention_type", "default");
        requireDefault(c, "mid_block_only_cross_attention", null);
        requireDefault(c, "reverse_transformer_layers_per_block", null);
        requireDefault(c, "class_embeddings_concat", false);
        requireDefault(c, "addition_time_embed_dim", null);
        requireDefault(c, "projection_class_embeddings_input_dim", null);
    }
}
