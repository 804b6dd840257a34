package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;

/** torch.nn.ConvTranspose2d; keys {@code weight} (in, out/groups, kH, kW) and optional {@code bias}. */
public final class ConvTranspose2d {
    public final Tensor weight;
    public final Tensor bias;
    public final Conv2dParams params;

    public ConvTranspose2d(Tensor weight, Tensor bias, Conv2dParams params) {
        this.weight = weight;
        this.bias = bias;
        this.params = params;
    }

    public static ConvTranspose2d load(StateDict sd, int in, int out, int kernel, Conv2dParams p) {
        Tensor w = sd.take("weight", in, out / p.groups(), kernel, kernel);
        Tensor b = sd.has("bias") ? sd.take("bias", out) : null;
        return new ConvTranspose2d(w, b, p);
    }

    public int outChannels() { return weight.dim(1) * params.groups(); }

    public Node forward(Graph g, Node x) {
        return g.convTranspose2d(x, weight, bias, params);
    }
}
