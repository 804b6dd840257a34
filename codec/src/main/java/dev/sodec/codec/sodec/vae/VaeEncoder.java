package dev.sodec.codec.sodec.vae;

import static dev.sodec.codec.sodec.ConfigChecks.reqPositive;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.StateDict;
import java.util.List;

/**
 * The encode path of diffusers AutoencoderKL up to the latent distribution's mean: moments =
 * quant_conv(encoder(image)) with keys {@code encoder.*} (conv_in, down_blocks.i, mid_block, conv_norm_out,
 * conv_out to 2 x latent channels) and {@code quant_conv.*}; the mean is the first latent_channels of the moments.
 * The mid-block attention honours {@code attn_patch} (OneDC's windows) like the decoder's. Sampling
 * ({@code latent_dist.sample()}) is not done: callers that need a deterministic latent use the mean.
 */
public final class VaeEncoder {
    public final VaeDecoderConfig config;
    private final Conv2d convIn, convOut, quantConv;
    private final DownEncoderBlock2D[] downBlocks;
    private final VaeMidBlock midBlock;
    private final GroupNorm convNormOut;

    private VaeEncoder(VaeDecoderConfig config, Conv2d convIn, DownEncoderBlock2D[] downBlocks, VaeMidBlock midBlock,
                       GroupNorm convNormOut, Conv2d convOut, Conv2d quantConv) {
        this.config = config;
        this.convIn = convIn;
        this.downBlocks = downBlocks;
        this.midBlock = midBlock;
        this.convNormOut = convNormOut;
        this.convOut = convOut;
        this.quantConv = quantConv;
    }

    /** From the AutoencoderKL config JSON and weights scoped to the VAE (the decode path's keys are left alone). */
    public static VaeEncoder load(StateDict sd, Config config) {
        VaeDecoderConfig c = VaeDecoderConfig.from(config);
        int n = c.levels(), lat = c.latentChannels();
        int[] boc = c.blockOutChannels();
        List<String> down = config.has("down_block_types") ? config.getStringList("down_block_types") : List.of("DownEncoderBlock2D");
        if (down.size() != n) throw new IllegalArgumentException("config: block_out_channels has " + n + " entries but down_block_types " + down.size());
        for (String t : down) {
            if (!t.equals("DownEncoderBlock2D")) throw new IllegalArgumentException("config: down block type '" + t + "' is not supported");
        }
        if (!config.getBool("double_z", true)) throw new IllegalArgumentException("config: double_z false is not supported");
        int in = reqPositive(config, "in_channels", 3);
        StateDict enc = sd.scope("encoder");
        Conv2dParams same3 = Conv2dParams.of(1, 1);
        Conv2d convIn = Conv2d.load(enc.scope("conv_in"), in, boc[0], 3, same3);
        DownEncoderBlock2D[] blocks = new DownEncoderBlock2D[n];
        int out = boc[0];
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = boc[i];
            blocks[i] = DownEncoderBlock2D.load(enc.scope("down_blocks." + i), c, prev, out, i != n - 1);
        }
        VaeMidBlock mid = VaeMidBlock.load(enc.scope("mid_block"), boc[n - 1], c.normNumGroups(), c.midBlockAddAttention(), c.attnPatch());
        GroupNorm normOut = GroupNorm.load(enc.scope("conv_norm_out"), c.normNumGroups(), boc[n - 1], VaeDecoderConfig.NORM_EPS, true);
        Conv2d convOut = Conv2d.load(enc.scope("conv_out"), boc[n - 1], 2 * lat, 3, same3);
        Conv2d qc = config.getBool("use_quant_conv", true) ? Conv2d.load(sd.scope("quant_conv"), 2 * lat, 2 * lat, 1, Conv2dParams.of(1, 0)) : null;
        return new VaeEncoder(c, convIn, blocks, mid, normOut, convOut, qc);
    }

    /** Whether weights scoped to a VAE hold the encode path. */
    public static boolean present(StateDict sd) {
        return sd.has("encoder.conv_in.weight");
    }

    /**
     * image (B, in, H, W) in [-1, 1], H and W multiples of 2^(levels-1) -> the latent mean
     * (B, latent, H / 2^(levels-1), W / 2^(levels-1)), without scaling_factor.
     */
    public Node mean(Graph g, Node image) {
        Node h = convIn.forward(g, image);
        for (DownEncoderBlock2D b : downBlocks) h = b.forward(g, h);
        h = midBlock.forward(g, h);
        h = convOut.forward(g, convNormOut.forwardSilu(g, h));
        if (quantConv != null) h = quantConv.forward(g, h);
        return h.slice(1, 0, config.latentChannels());
    }
}
