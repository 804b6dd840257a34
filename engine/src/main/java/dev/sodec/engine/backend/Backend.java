package dev.sodec.engine.backend;

import dev.sodec.engine.tensor.Tensor;

/**
 * The operations every backend provides. Tensors are NCHW for images and (B, T, C) for token sequences. Every op
 * returns a new tensor and leaves its inputs untouched. Results must not depend on the thread count: work is split
 * over output elements, never over a reduction.
 */
public interface Backend extends AutoCloseable {
    String name();

    /** Threads this backend may use for one op. */
    int threads();

    // ---- linear algebra ----

    /** x (..., in) times weight (out, in) transposed, plus bias (out) when not null. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /** Batched matrix product: a (B, M, K) x b (B, K, N) -> (B, M, N); rank-2 operands are a batch of one. */
    Tensor matmul(Tensor a, Tensor b);

    /** torch.nn.functional.conv2d with zero padding; weight (Cout, Cin/groups, kH, kW), bias (Cout) or null. */
    Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p);

    /** torch.nn.functional.conv_transpose2d; weight (Cin, Cout/groups, kH, kW), bias (Cout) or null. */
    Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p);

    // ---- normalisation ----

    /**
     * GDN over channels of (B, C, H, W): norm[i] = beta[i] + sum_j gamma[i][j] x[j]^2; y = x / sqrt(norm), or
     * x * sqrt(norm) when inverse. beta (C) and gamma (C, C) are the effective (reparametrized) values.
     */
    Tensor gdn(Tensor x, Tensor beta, Tensor gamma, boolean inverse);

    // ---- elementwise ----

    Tensor leakyRelu(Tensor x, float negativeSlope);

    @Override
    default void close() {}
}
