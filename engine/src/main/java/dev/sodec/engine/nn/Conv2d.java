package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;

/** torch.nn.Conv2d; keys {@code weight} (out, in/groups, kH, kW) and optional {@code bias}. */
public final class Conv2d {
    public final Tensor weight;
    public final Tensor bias;
    public final Conv2dParams params;

    public Conv2d(Tensor weight, Tensor bias, Conv2dParams params) {
        this.weight = weight;
        this.bias = bias;
        this.params = params;
    }

    /** Loads from {@code sd} (already scoped to the module), checking the weight shape; the bias is used if present. */
    public static Conv2d load(StateDict sd, int in, int out, int kernel, Conv2dParams p) {
        Tensor w = sd.take("weight", out, in / p.groups(), kernel, kernel);
        Tensor b = sd.has("bias") ? sd.take("bias", out) : null;
        return new Conv2d(w, b, p);
    }

    /**
     * Loads a layer whose bias the architecture fixes: required when {@code bias} (a missing one is an error naming
     * the key), not read otherwise (so a stray one is left for {@link StateDict#requireAllConsumed} to report).
     */
    public static Conv2d load(StateDict sd, int in, int out, int kernel, Conv2dParams p, boolean bias) {
        Tensor w = sd.take("weight", out, in / p.groups(), kernel, kernel);
        return new Conv2d(w, bias ? sd.take("bias", out) : null, p);
    }

    public int outChannels() { return weight.dim(0); }

    public Node forward(Graph g, Node x) {
        return g.conv2d(x, weight, bias, params);
    }
}
