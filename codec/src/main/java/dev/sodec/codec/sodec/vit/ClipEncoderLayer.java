package dev.sodec.codec.sodec.vit;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Attention;
import dev.sodec.engine.nn.LayerNorm;
import dev.sodec.engine.nn.Linear;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * transformers CLIPEncoderLayer (pre-LN): x = x + self_attn(layer_norm1(x)); x = x + mlp.fc2(act(mlp.fc1(layer_norm2(x)))).
 * Attention has biases on q/k/v/out_proj and scale head_dim^-0.5, no mask.
 */
final class ClipEncoderLayer {
    private final LayerNorm layerNorm1, layerNorm2;
    private final Attention selfAttn;
    private final Linear fc1, fc2;
    private final ClipVisionConfig.Activation act;

    private ClipEncoderLayer(LayerNorm layerNorm1, Attention selfAttn, LayerNorm layerNorm2, Linear fc1, Linear fc2,
                             ClipVisionConfig.Activation act) {
        this.layerNorm1 = layerNorm1;
        this.selfAttn = selfAttn;
        this.layerNorm2 = layerNorm2;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.act = act;
    }

    static ClipEncoderLayer load(StateDict sd, ClipVisionConfig c) {
        int d = c.hiddenSize(), heads = c.numAttentionHeads();
        return new ClipEncoderLayer(
                LayerNorm.load(sd.scope("layer_norm1"), d, c.layerNormEps(), true),
                Attention.load(sd.scope("self_attn"), new Attention.Spec(d, 0, heads, d / heads, true, true), Attention.Keys.CLIP),
                LayerNorm.load(sd.scope("layer_norm2"), d, c.layerNormEps(), true),
                Linear.load(sd.scope("mlp.fc1"), d, c.intermediateSize(), true),
                Linear.load(sd.scope("mlp.fc2"), c.intermediateSize(), d, true),
                c.hiddenAct());
    }

    /** x (B, T, D) -> (B, T, D). */
    Node forward(Graph g, Node x) {
        x = g.add(x, selfAttn.forward(g, layerNorm1.forward(g, x)));
        Node h = fc1.forward(g, layerNorm2.forward(g, x));
        h = switch (act) {
            case QUICK_GELU -> g.quickGelu(h);
            case GELU_ERF -> g.geluErf(h);
            case GELU_TANH -> g.geluTanh(h);
        };
        return g.add(x, fc2.forward(g, h));
    }
}
