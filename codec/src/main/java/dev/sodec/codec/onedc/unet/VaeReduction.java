package dev.sodec.codec.onedc.unet;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's {@code vae_reduction} head on the UNet (decoder_unet.py reduce_resblock(in, latent)): x_t =
 * blocks(x_hat) + short_cut(x_hat) with blocks = GroupNorm(32, eps 1e-6), SiLU, conv 3x3 in -> in, GroupNorm, SiLU,
 * conv 3x3 in -> latent (keys {@code blocks.0, blocks.2, blocks.3, blocks.5}) and short_cut a 1x1 in -> latent
 * (the identity when in == latent).
 */
public final class VaeReduction {
    private static final int GROUPS = 32;
    private static final float EPS = 1e-6f;

    private final GroupNorm norm1, norm2;
    private final Conv2d conv1, conv2, shortCut;

    private VaeReduction(GroupNorm norm1, Conv2d conv1, GroupNorm norm2, Conv2d conv2, Conv2d shortCut) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortCut = shortCut;
    }

    public static VaeReduction load(StateDict sd, int in, int latent) {
        Conv2dParams same = Conv2dParams.of(1, 1);
        StateDict b = sd.scope("blocks");
        return new VaeReduction(GroupNorm.load(b.scope("0"), GROUPS, in, EPS, true), Conv2d.load(b.scope("2"), in, in, 3, same, true),
                GroupNorm.load(b.scope("3"), GROUPS, in, EPS, true), Conv2d.load(b.scope("5"), in, latent, 3, same, true),
                in != latent ? Conv2d.load(sd.scope("short_cut"), in, latent, 1, Conv2dParams.of(1, 0), true) : null);
    }

    public Node forward(Graph g, Node x) {
        Node h = conv2.forward(g, norm2.forwardSilu(g, conv1.forward(g, norm1.forwardSilu(g, x))));
        return g.add(h, shortCut == null ? x : shortCut.forward(g, x));
    }
}
