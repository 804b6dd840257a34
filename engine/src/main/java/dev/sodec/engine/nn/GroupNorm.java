package dev.sodec.engine.nn;

import dev.sodec.engine.backend.Backend;
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

    public Tensor forward(Backend backend, Tensor x) {
        return backend.groupNorm(x, groups, weight, bias, eps, false);
    }

    /** silu(norm(x)) in one pass (the ResnetBlock2D / conv_norm_out pattern). */
    public Tensor forwardSilu(Backend backend, Tensor x) {
        return backend.groupNorm(x, groups, weight, bias, eps, true);
    }
}
