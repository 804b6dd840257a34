package dev.sodec.codec.sodec.vae;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * The decode path of diffusers AutoencoderKL: image = decoder(post_quant_conv(latent)), with keys
 * {@code post_quant_conv.*} and {@code decoder.*} (conv_in, mid_block, up_blocks.i, conv_norm_out, conv_out).
 * Like {@code AutoencoderKL.decode} it does NOT divide by scaling_factor; callers do.
 */
public final class VaeDecoder {
    public final VaeDecoderConfig config;
    private final Conv2d postQuantConv;
    private final Conv2d convIn;
    private final VaeMidBlock midBlock;
    private final UpDecoderBlock2D[] upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    private VaeDecoder(VaeDecoderConfig config, Conv2d postQuantConv, Conv2d convIn, VaeMidBlock midBlock,
                       UpDecoderBlock2D[] upBlocks, GroupNorm convNormOut, Conv2d convOut) {
        this.config = config;
        this.postQuantConv = postQuantConv;
        this.convIn = convIn;
        this.midBlock = midBlock;
        this.upBlocks = upBlocks;
        this.convNormOut = convNormOut;
        this.convOut = convOut;
    }

    /** Builds the decoder from AutoencoderKL config JSON and weights scoped to the VAE. */
    public static VaeDecoder load(StateDict sd, Config config) {
        return load(sd, VaeDecoderConfig.from(config));
    }

    public static VaeDecoder load(StateDict sd, VaeDecoderConfig c) {
        ignoreEncoder(sd);
        int lat = c.latentChannels(), n = c.levels();
        int[] boc = c.blockOutChannels();
        Conv2d pqc = c.usePostQuantConv() ? Conv2d.load(sd.scope("post_quant_conv"), lat, lat, 1, Conv2dParams.of(1, 0)) : null;
        StateDict dec = sd.scope("decoder");
        Conv2dParams same3 = Conv2dParams.of(1, 1);
        Conv2d convIn = Conv2d.load(dec.scope("conv_in"), lat, boc[n - 1], 3, same3);
        VaeMidBlock mid = VaeMidBlock.load(dec.scope("mid_block"), c);
        UpDecoderBlock2D[] up = new UpDecoderBlock2D[n];
        int out = boc[n - 1];
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = boc[n - 1 - i];
            up[i] = UpDecoderBlock2D.load(dec.scope("up_blocks." + i), c, prev, out, i != n - 1);
        }
        GroupNorm normOut = GroupNorm.load(dec.scope("conv_norm_out"), c.normNumGroups(), boc[0], VaeDecoderConfig.NORM_EPS, true);
        Conv2d convOut = Conv2d.load(dec.scope("conv_out"), boc[0], c.outChannels(), 3, same3);
        return new VaeDecoder(c, pqc, convIn, mid, up, normOut, convOut);
    }

    /**
     * A full AutoencoderKL file also holds the encode path (encoder.*, quant_conv.*); decoding never uses it, so
     * those keys are marked as deliberately unused rather than reported by requireAllConsumed.
     */
    private static void ignoreEncoder(StateDict sd) {
        for (String key : sd.keys()) {
            String rel = key.substring(sd.prefix().length());
            if (rel.startsWith("encoder.") || rel.startsWith("quant_conv.")) sd.ignore(rel);
        }
    }

    /** latent (B, latent_channels, h, w) -> image (B, out_channels, h * 2^(levels-1), w * 2^(levels-1)), about [-1, 1]. */
    public Node decode(Graph g, Node latent) {
        int[] s = latent.shape();
        if (s.length != 4 || s[1] != config.latentChannels() || s[0] < 1 || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException("VAE decoder: latent must be (B, " + config.latentChannels() + ", h, w), got " + Arrays.toString(s));
        }
        Node h = postQuantConv == null ? latent : postQuantConv.forward(g, latent);
        h = convIn.forward(g, h);
        h = midBlock.forward(g, h);
        for (UpDecoderBlock2D b : upBlocks) h = b.forward(g, h);
        return convOut.forward(g, convNormOut.forwardSilu(g, h));
    }
}
