package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers BasicTransformerBlock (norm_type "layer_norm"): t = attn1(norm1(t)) + t (self-attention);
 * t = attn2(norm2(t), ctx) + t (cross-attention, present when crossAttentionDim > 0); t = ff(norm3(t)) + t.
 */
public final class BasicTransformerBlock {
    /** @param crossAttentionDim 0 for a block without attn2/norm2 */
    public record Spec(int dim, int heads, int dimHead, int crossAttentionDim, boolean attentionBias, float normEps,
                       boolean normAffine, FeedForward.Spec ff) {
        public Spec(int dim, int heads, int dimHead, int crossAttentionDim, boolean attentionBias, float normEps) {
            this(dim, heads, dimHead, crossAttentionDim, attentionBias, normEps, true,
                    new FeedForward.Spec(dim, dim, 4 * dim, FeedForward.Activation.GEGLU));
        }
    }

    public final Spec spec;
    public final LayerNorm norm1, norm2, norm3;
    public final Attention attn1, attn2;
    public final FeedForward ff;

    private BasicTransformerBlock(Spec spec, LayerNorm norm1, Attention attn1, LayerNorm norm2, Attention attn2,
                                  LayerNorm norm3, FeedForward ff) {
        this.spec = spec;
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.norm3 = norm3;
        this.ff = ff;
    }

    public static BasicTransformerBlock load(StateDict sd, Spec s) {
        LayerNorm n1 = LayerNorm.load(sd.scope("norm1"), s.dim(), s.normEps(), s.normAffine());
        Attention a1 = Attention.load(sd.scope("attn1"),
                new Attention.Spec(s.dim(), 0, s.heads(), s.dimHead(), s.attentionBias(), true));
        LayerNorm n2 = null;
        Attention a2 = null;
        if (s.crossAttentionDim() > 0) {
            n2 = LayerNorm.load(sd.scope("norm2"), s.dim(), s.normEps(), s.normAffine());
            a2 = Attention.load(sd.scope("attn2"),
                    new Attention.Spec(s.dim(), s.crossAttentionDim(), s.heads(), s.dimHead(), s.attentionBias(), true));
        }
        LayerNorm n3 = LayerNorm.load(sd.scope("norm3"), s.dim(), s.normEps(), s.normAffine());
        FeedForward ff = FeedForward.load(sd.scope("ff"), s.ff());
        return new BasicTransformerBlock(s, n1, a1, n2, a2, n3, ff);
    }

    /** t (B, T, dim), context (B, S, crossAttentionDim) or null (attn2 then attends to t itself) -> (B, T, dim). */
    public Node forward(Graph g, Node t, Node context) {
        t = g.add(attn1.forward(g, norm1.forward(g, t)), t);
        if (attn2 != null) t = g.add(attn2.forward(g, norm2.forward(g, t), context), t);
        return g.add(ff.forward(g, norm3.forward(g, t)), t);
    }
}
