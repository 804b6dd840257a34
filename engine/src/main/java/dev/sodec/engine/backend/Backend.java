package dev.sodec.engine.backend;

import dev.sodec.engine.tensor.Tensor;

/**
 * The operations every backend provides. Tensors are NCHW for images and (B, T, C) for token sequences. Every op
 * returns a new tensor and leaves its inputs untouched. Results must not depend on the thread count: work is split
 * over output elements, never over a reduction.
 */
public interface Backend extends AutoCloseable {
    String name();

    /** What this backend runs on and which paths it takes (device, precision, GEMM library), for logs and the CLI. */
    default String description() {
        return name();
    }

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

    // ---- added for the diffusion networks. Defaults throw so backends written before these ops still compile;
    // every backend used for those networks overrides all of them. ----

    private UnsupportedOperationException missing(String op) {
        return new UnsupportedOperationException("backend '" + name() + "' does not implement " + op);
    }

    /**
     * torch GroupNorm over (B, C, ...): per sample and group of C/groups consecutive channels, mean and biased
     * variance; y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]. weight/bias (C) or null (no affine).
     * With {@code fuseSilu} the result is passed through SiLU in the same pass.
     */
    default Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu) {
        throw missing("groupNorm");
    }

    /** torch LayerNorm over the last dim (biased variance); weight/bias (D) or null. */
    default Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        throw missing("layerNorm");
    }

    /**
     * Multi-head attention softmax(q k^T * scale) v per head: q (B, T, C), k (B, S, C), v (B, S, Cv); head h uses
     * features [h C/heads, (h+1) C/heads) (resp. of Cv). Returns (B, T, Cv) with heads concatenated. No projections,
     * no mask; scale must be positive (dim_head^-0.5 in every model here).
     */
    default Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale) {
        throw missing("attention");
    }

    /** Softmax over the last dim. */
    default Tensor softmax(Tensor x) {
        throw missing("softmax");
    }

    /** 0.5 x (1 + erf(x / sqrt 2)) (torch gelu, approximate='none'). */
    default Tensor geluErf(Tensor x) {
        throw missing("geluErf");
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (torch gelu, approximate='tanh'). */
    default Tensor geluTanh(Tensor x) {
        throw missing("geluTanh");
    }

    /** x * sigmoid(x). */
    default Tensor silu(Tensor x) {
        throw missing("silu");
    }

    /** x * sigmoid(1.702 x) (CLIP's quick_gelu). */
    default Tensor quickGelu(Tensor x) {
        throw missing("quickGelu");
    }

    /** diffusers GEGLU activation: x (..., 2n) -> x[..., :n] * geluErf(x[..., n:]). */
    default Tensor geglu(Tensor x) {
        throw missing("geglu");
    }

    /** a + b, same shape. */
    default Tensor add(Tensor a, Tensor b) {
        throw missing("add");
    }

    /** a * b, same shape. */
    default Tensor mul(Tensor a, Tensor b) {
        throw missing("mul");
    }

    /** x (B, C, ...) + bias broadcast over the trailing dims; bias (C) or (B, C). */
    default Tensor addPerChannel(Tensor x, Tensor bias) {
        throw missing("addPerChannel");
    }

    /** x * mul + add. */
    default Tensor scale(Tensor x, float mul, float add) {
        throw missing("scale");
    }

    /** min(max(x, lo), hi); NaN stays NaN. */
    default Tensor clamp(Tensor x, float lo, float hi) {
        throw missing("clamp");
    }

    /**
     * Nearest upsampling of (B, C, H, W) to (B, C, outH, outW) with torch's index rule: src = dst for equal sizes,
     * dst / 2 for exactly twice, else min(floor(dst * (float) in / out), in - 1).
     */
    default Tensor upsampleNearest(Tensor x, int outH, int outW) {
        throw missing("upsampleNearest");
    }

    /** Bilinear resize of (B, C, H, W), align_corners=False, no antialiasing (torch F.interpolate with size). */
    default Tensor resizeBilinear(Tensor x, int outH, int outW) {
        throw missing("resizeBilinear");
    }

    /** torch pixel_shuffle: (B, C r^2, H, W) -> (B, C, H r, W r). */
    default Tensor pixelShuffle(Tensor x, int r) {
        throw missing("pixelShuffle");
    }

    /** Concatenation along {@code dim} (negative counts from the end); all other dims must match. */
    default Tensor concat(int dim, Tensor... xs) {
        throw missing("concat");
    }

    /** Swaps the last two dims, e.g. (B, C, H*W) -> (B, H*W, C) to turn feature maps into tokens. */
    default Tensor transpose(Tensor x) {
        throw missing("transpose");
    }

    @Override
    default void close() {}
}
