package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers Attention applied to a feature map with its own GroupNorm and residual connection (the VAE mid-block
 * attention, converted from the old AttentionBlock): tokens = group_norm(x) as (B, H*W, C); y = to_out.0(attn(
 * to_q, to_k, to_v)); result = (y as (B, C, H, W) + x) / rescale_output_factor. Keys {@code group_norm},
 * {@code to_q}, {@code to_k}, {@code to_v} (with bias), {@code to_out.0}. upcast_softmax changes nothing in F32.
 */
public final class SpatialAttention {
    public record Spec(int channels, int heads, int groups, float eps, float rescaleOutputFactor) {
        public Spec {
            if (channels < 1 || heads < 1 || channels % heads != 0 || groups < 1 || !(rescaleOutputFactor > 0)) {
                throw new IllegalArgumentException("invalid SpatialAttention sizes " + this);
            }
        }
    }

    public final Spec spec;
    public final GroupNorm groupNorm;
    public final Attention attention;

    private SpatialAttention(Spec spec, GroupNorm groupNorm, Attention attention) {
        this.spec = spec;
        this.groupNorm = groupNorm;
        this.attention = attention;
    }

    public static SpatialAttention load(StateDict sd, Spec s) {
        GroupNorm norm = GroupNorm.load(sd.scope("group_norm"), s.groups(), s.channels(), s.eps(), true);
        Attention attn = Attention.load(sd, new Attention.Spec(s.channels(), 0, s.heads(), s.channels() / s.heads(), true, true));
        return new SpatialAttention(s, norm, attn);
    }

    /** x (B, C, H, W) -> (B, C, H, W). */
    public Node forward(Graph g, Node x) {
        int[] xs = x.shape();
        if (xs.length != 4 || xs[1] != spec.channels()) {
            throw new IllegalArgumentException("SpatialAttention: expected (B, " + spec.channels() + ", H, W), got " + x);
        }
        int hw = Math.multiplyExact(xs[2], xs[3]);
        Node tokens = g.transpose(groupNorm.forward(g, x).reshape(xs[0], xs[1], hw));
        Node y = attention.forward(g, tokens);
        y = g.add(g.transpose(y).reshape(xs), x);
        return spec.rescaleOutputFactor() == 1f ? y : g.scale(y, 1f / spec.rescaleOutputFactor(), 0f);
    }
}
