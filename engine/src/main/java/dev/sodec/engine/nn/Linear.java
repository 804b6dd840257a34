package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/** torch.nn.Linear; keys {@code weight} (out, in) and, when {@code bias}, {@code bias} (out). */
public final class Linear {
    public final Tensor weight;
    public final Tensor bias;

    public Linear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads from {@code sd} (scoped to the module); a bias that the config says exists must be present. */
    public static Linear load(StateDict sd, int in, int out, boolean bias) {
        Tensor w = sd.take("weight", out, in);
        Tensor b = bias ? sd.take("bias", out) : null;
        return new Linear(w, b);
    }

    public int inFeatures() { return weight.dim(1); }

    public int outFeatures() { return weight.dim(0); }

    /** x (..., in) -> (..., out). */
    public Node forward(Graph g, Node x) {
        return g.linear(x, weight, bias);
    }
}
