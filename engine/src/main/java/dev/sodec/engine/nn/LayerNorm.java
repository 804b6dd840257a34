package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/** torch.nn.LayerNorm over the last dim; keys {@code weight}, {@code bias} (D) when elementwise_affine. */
public final class LayerNorm {
    public final float eps;
    public final Tensor weight;
    public final Tensor bias;

    public LayerNorm(float eps, Tensor weight, Tensor bias) {
        this.eps = eps;
        this.weight = weight;
        this.bias = bias;
    }

    public static LayerNorm load(StateDict sd, int dim, float eps, boolean affine) {
        Tensor w = affine ? sd.take("weight", dim) : null;
        Tensor b = affine ? sd.take("bias", dim) : null;
        return new LayerNorm(eps, w, b);
    }

    public Node forward(Graph g, Node x) {
        return g.layerNorm(x, weight, bias, eps);
    }
}
