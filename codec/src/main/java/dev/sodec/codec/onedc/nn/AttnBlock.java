package dev.sodec.codec.onedc.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.Linear;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * VQGAN {@code AttnBlock(C)} (OneDC modules/vqgan/blocks.py): GroupNorm(32, eps 1e-6), q, k, v as 1x1 convolutions
 * with bias, one head over all H*W positions with scale C^-1/2, {@code proj_out} (1x1), plus the input. The 1x1
 * convolutions run as linear maps on the (B, H*W, C) tokens (their weights viewed as (C, C)).
 */
public final class AttnBlock implements Block {
    private final int channels;
    private final GroupNorm norm;
    private final Linear q, k, v, projOut;
    private final float scale;

    private AttnBlock(int channels, GroupNorm norm, Linear q, Linear k, Linear v, Linear projOut) {
        this.channels = channels;
        this.norm = norm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.projOut = projOut;
        this.scale = (float) Math.pow(channels, -0.5);
    }

    public static AttnBlock load(StateDict sd, int channels) {
        return new AttnBlock(channels, GroupNorm.load(sd.scope("norm"), ResnetBlock.GROUPS, channels, ResnetBlock.EPS, true),
                pointwise(sd.scope("q"), channels), pointwise(sd.scope("k"), channels), pointwise(sd.scope("v"), channels),
                pointwise(sd.scope("proj_out"), channels));
    }

    /** A 1x1 Conv2d(C, C) with bias, as the Linear it is on tokens. */
    static Linear pointwise(StateDict sd, int c) {
        Tensor w = sd.take("weight", c, c, 1, 1).reshape(c, c);
        return new Linear(w, sd.take("bias", c));
    }

    @Override
    public Node forward(Graph g, Node x) {
        if (x.rank() != 4 || x.dim(1) != channels) throw new IllegalArgumentException("AttnBlock: expected (B, " + channels + ", H, W), got " + x);
        int b = x.dim(0), hw = Math.multiplyExact(x.dim(2), x.dim(3));
        Node tokens = g.transpose(norm.forward(g, x).reshape(b, channels, hw));
        Node att = g.attention(q.forward(g, tokens), k.forward(g, tokens), v.forward(g, tokens), 1, scale);
        Node out = g.transpose(projOut.forward(g, att)).reshape(x.shape());
        return g.add(x, out);
    }
}
