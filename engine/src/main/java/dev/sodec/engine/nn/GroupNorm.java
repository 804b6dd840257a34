package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/** torch.nn.GroupNorm(num_groups, num_channels, eps, affine); keys {@code weight}, {@code bias} (C) when affine. */
public final class GroupNorm {
    public final int groups;
    public final float eps;
    public final Tensor weight;
    public final Tensor bias;

    public GroupNorm(int groups, float eps, Tensor weight, Tensor bias) {
        this.groups = groups;
        this.eps = eps;
        this.weight = weight;
        this.bias = bias;
    }

    public static GroupNorm load(StateDict sd, int groups, int channels, float eps, boolean affine) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(sd.prefix() + ": " + channels + " channels do not split into " + groups + " groups");
        }
        Tensor w = affine ? sd.take("weight", channels) : null;
        Tensor b = affine ? sd.take("bias", channels) : null;
        return new GroupNorm(groups, eps, w, b);
    }

    public Node forward(Graph g, Node x) {
        return g.groupNorm(x, groups, weight, bias, eps);
    }

    /** silu(norm(x)) (the ResnetBlock2D / conv_norm_out pattern; one kernel where the backend fuses them). */
    public Node forwardSilu(Graph g, Node x) {
        return g.silu(forward(g, x));
    }
}
