package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/** diffusers TimestepEmbedding with act_fn silu: linear_2(silu(linear_1(sample))). */
public final class TimestepEmbedding {
    public final Linear linear1;
    public final Linear linear2;

    private TimestepEmbedding(Linear linear1, Linear linear2) {
        this.linear1 = linear1;
        this.linear2 = linear2;
    }

    /** @param outDim diffusers out_dim, equal to timeEmbedDim unless the config sets it */
    public static TimestepEmbedding load(StateDict sd, int inChannels, int timeEmbedDim, int outDim) {
        return new TimestepEmbedding(
                Linear.load(sd.scope("linear_1"), inChannels, timeEmbedDim, true),
                Linear.load(sd.scope("linear_2"), timeEmbedDim, outDim, true));
    }

    public static TimestepEmbedding load(StateDict sd, int inChannels, int timeEmbedDim) {
        return load(sd, inChannels, timeEmbedDim, timeEmbedDim);
    }

    public Node forward(Graph g, Node sample) {
        return linear2.forward(g, g.silu(linear1.forward(g, sample)));
    }
}
