package dev.sodec.codec.sodec;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.LayerNorm;
import dev.sodec.engine.nn.Linear;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/** SODEC's Fp: ViT tokens (B, T, vit_hidden) -> cross-attention tokens c_g (B, T, cross_dim); keys linear.*, norm.*. */
public final class GuidanceProjection {
    /** torch.nn.LayerNorm default, as the reference builds it. */
    static final float NORM_EPS = 1e-5f;

    private final Linear linear;
    private final LayerNorm norm;

    private GuidanceProjection(Linear linear, LayerNorm norm) {
        this.linear = linear;
        this.norm = norm;
    }

    public static GuidanceProjection load(StateDict sd, int vitHidden, int crossDim) {
        return new GuidanceProjection(Linear.load(sd.scope("linear"), vitHidden, crossDim, true),
                LayerNorm.load(sd.scope("norm"), crossDim, NORM_EPS, true));
    }

    public Node forward(Graph g, Node tokens) {
        return norm.forward(g, linear.forward(g, tokens));
    }
}
