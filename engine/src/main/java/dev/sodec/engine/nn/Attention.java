package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;

/**
 * Multi-head attention with q/k/v/out projections (diffusers {@code Attention} with the default processor, and
 * by its {@link Keys} CLIP's self-attention): q = to_q(x), k = to_k(ctx), v = to_v(ctx), heads of dim_head
 * features, softmax(q k^T * dim_head^-0.5) v, heads concatenated, then to_out.0. ctx is x for self-attention.
 * No norm or residual here: blocks add those.
 */
public final class Attention {
    /**
     * Sizes. {@code crossAttentionDim} 0 means self-attention (k/v project from queryDim); {@code bias} is for
     * q/k/v, {@code outBias} for the output projection.
     */
    public record Spec(int queryDim, int crossAttentionDim, int heads, int dimHead, boolean bias, boolean outBias) {
        public Spec {
            if (queryDim < 1 || crossAttentionDim < 0 || heads < 1 || dimHead < 1) {
                throw new IllegalArgumentException("invalid attention sizes " + this);
            }
        }

        public int innerDim() { return heads * dimHead; }

        public int contextDim() { return crossAttentionDim == 0 ? queryDim : crossAttentionDim; }

        /** From diffusers Attention constructor kwargs (query_dim, cross_attention_dim, heads, dim_head, bias, out_bias). */
        public static Spec fromDiffusers(Config c) {
            if (c.has("out_dim")) throw new IllegalArgumentException("Attention: out_dim is not supported");
            return new Spec(c.getInt("query_dim"), c.getInt("cross_attention_dim", 0), c.getInt("heads", 8),
                    c.getInt("dim_head", 64), c.getBool("bias", false), c.getBool("out_bias", true));
        }
    }

    /** Checkpoint keys of the four projections. */
    public record Keys(String q, String k, String v, String out) {
        public static final Keys DIFFUSERS = new Keys("to_q", "to_k", "to_v", "to_out.0");
        /** transformers CLIPAttention. */
        public static final Keys CLIP = new Keys("q_proj", "k_proj", "v_proj", "out_proj");
    }

    public final Spec spec;
    public final Linear toQ, toK, toV, toOut;
    private final float scale;

    private Attention(Spec spec, Linear toQ, Linear toK, Linear toV, Linear toOut) {
        this.spec = spec;
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.scale = (float) Math.pow(spec.dimHead(), -0.5);
    }

    public static Attention load(StateDict sd, Spec spec) {
        return load(sd, spec, Keys.DIFFUSERS);
    }

    public static Attention load(StateDict sd, Spec spec, Keys keys) {
        int inner = spec.innerDim();
        return new Attention(spec,
                Linear.load(sd.scope(keys.q()), spec.queryDim(), inner, spec.bias()),
                Linear.load(sd.scope(keys.k()), spec.contextDim(), inner, spec.bias()),
                Linear.load(sd.scope(keys.v()), spec.contextDim(), inner, spec.bias()),
                Linear.load(sd.scope(keys.out()), inner, spec.queryDim(), spec.outBias()));
    }

    /** Self-attention over x (B, T, queryDim). */
    public Node forward(Graph g, Node x) {
        return forward(g, x, null);
    }

    /** x (B, T, queryDim), context (B, S, crossAttentionDim) or null for self-attention -> (B, T, queryDim). */
    public Node forward(Graph g, Node x, Node context) {
        Node ctx = context == null ? x : context;
        Node q = toQ.forward(g, x);
        Node k = toK.forward(g, ctx);
        Node v = toV.forward(g, ctx);
        return toOut.forward(g, g.attention(q, k, v, spec.heads(), scale));
    }
}
