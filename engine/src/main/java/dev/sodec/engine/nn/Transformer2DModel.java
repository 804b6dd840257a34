package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers Transformer2DModel on continuous inputs (the SD UNet's attention block): r = x; h = norm(x)
 * (GroupNorm, eps 1e-6 as diffusers hard-codes); proj_in (1x1 conv before flattening, or Linear on tokens when
 * use_linear_projection); transformer_blocks.N; proj_out (the inverse); y = h + r.
 */
public final class Transformer2DModel {
    /** GroupNorm eps that diffusers fixes for this module whatever the model's norm_eps. */
    public static final float NORM_EPS = 1e-6f;

    public record Spec(int inChannels, int heads, int dimHead, int numLayers, int crossAttentionDim, int normNumGroups,
                       boolean useLinearProjection, BasicTransformerBlock.Spec block) {
        public int innerDim() { return heads * dimHead; }

        public Spec(int inChannels, int heads, int dimHead, int numLayers, int crossAttentionDim, int normNumGroups,
                    boolean useLinearProjection, boolean attentionBias, float layerNormEps) {
            this(inChannels, heads, dimHead, numLayers, crossAttentionDim, normNumGroups, useLinearProjection,
                    new BasicTransformerBlock.Spec(heads * dimHead, heads, dimHead, crossAttentionDim, attentionBias, layerNormEps));
        }

        /** From diffusers Transformer2DModel kwargs (continuous input, layer_norm blocks, GEGLU feed-forward). */
        public static Spec fromDiffusers(Config c) {
            String normType = c.getString("norm_type", "layer_norm");
            if (!normType.equals("layer_norm")) throw new IllegalArgumentException("Transformer2DModel: norm_type '" + normType + "' is not supported");
            if (c.getBool("only_cross_attention", false) || c.getBool("double_self_attention", false)) {
                throw new IllegalArgumentException("Transformer2DModel: only_cross_attention/double_self_attention are not supported");
            }
            if (c.has("out_channels") && c.getInt("out_channels") != c.getInt("in_channels")) {
                throw new IllegalArgumentException("Transformer2DModel: out_channels != in_channels is not supported");
            }
            int heads = c.getInt("num_attention_heads", 16), dh = c.getInt("attention_head_dim", 88);
            int inner = heads * dh;
            FeedForward.Spec ff = new FeedForward.Spec(inner, inner, 4 * inner,
                    FeedForward.Activation.fromDiffusers(c.getString("activation_fn", "geglu")));
            BasicTransformerBlock.Spec block = new BasicTransformerBlock.Spec(inner, heads, dh,
                    c.getInt("cross_attention_dim", 0), c.getBool("attention_bias", false),
                    (float) c.getDouble("norm_eps", 1e-5), c.getBool("norm_elementwise_affine", true), ff);
            return new Spec(c.getInt("in_channels"), heads, dh, c.getInt("num_layers", 1), c.getInt("cross_attention_dim", 0),
                    c.getInt("norm_num_groups", 32), c.getBool("use_linear_projection", false), block);
        }
    }

    public final Spec spec;
    public final GroupNorm norm;
    private final Linear projInLinear, projOutLinear;
    private final Conv2d projInConv, projOutConv;
    public final BasicTransformerBlock[] blocks;

    private Transformer2DModel(Spec spec, GroupNorm norm, Linear projInLinear, Conv2d projInConv,
                               BasicTransformerBlock[] blocks, Linear projOutLinear, Conv2d projOutConv) {
        this.spec = spec;
        this.norm = norm;
        this.projInLinear = projInLinear;
        this.projInConv = projInConv;
        this.blocks = blocks;
        this.projOutLinear = projOutLinear;
        this.projOutConv = projOutConv;
    }

    public static Transformer2DModel load(StateDict sd, Spec s) {
        int c = s.inChannels(), inner = s.innerDim();
        GroupNorm norm = GroupNorm.load(sd.scope("norm"), s.normNumGroups(), c, NORM_EPS, true);
        Linear pil = null, pol = null;
        Conv2d pic = null, poc = null;
        if (s.useLinearProjection()) {
            pil = Linear.load(sd.scope("proj_in"), c, inner, true);
        } else {
            pic = Conv2d.load(sd.scope("proj_in"), c, inner, 1, Conv2dParams.of(1, 0));
        }
        BasicTransformerBlock[] blocks = new BasicTransformerBlock[s.numLayers()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = BasicTransformerBlock.load(sd.scope("transformer_blocks." + i), s.block());
        if (s.useLinearProjection()) {
            pol = Linear.load(sd.scope("proj_out"), inner, c, true);
        } else {
            poc = Conv2d.load(sd.scope("proj_out"), inner, c, 1, Conv2dParams.of(1, 0));
        }
        return new Transformer2DModel(s, norm, pil, pic, blocks, pol, poc);
    }

    /** x (B, C, H, W), context (B, S, crossAttentionDim) -> (B, C, H, W). */
    public Node forward(Graph g, Node x, Node context) {
        int[] xs = x.shape();
        if (xs.length != 4 || xs[1] != spec.inChannels()) {
            throw new IllegalArgumentException("Transformer2DModel: expected (B, " + spec.inChannels() + ", H, W), got " + x);
        }
        int nb = xs[0], c = xs[1], hw = Math.multiplyExact(xs[2], xs[3]), inner = spec.innerDim();
        Node h = norm.forward(g, x);
        Node t;
        if (projInConv != null) {
            h = projInConv.forward(g, h);
            t = g.transpose(h.reshape(nb, inner, hw));
        } else {
            t = projInLinear.forward(g, g.transpose(h.reshape(nb, c, hw)));
        }
        for (BasicTransformerBlock b : blocks) t = b.forward(g, t, context);
        if (projOutLinear != null) {
            h = g.transpose(projOutLinear.forward(g, t)).reshape(xs);
        } else {
            h = projOutConv.forward(g, g.transpose(t).reshape(nb, inner, xs[2], xs[3]));
        }
        return g.add(h, x);
    }
}
