package dev.sodec.engine.cuda;

/**
 * What a tensor-core GEMM or convolution does to each F32 accumulator before storing it, so a graph's fused node
 * (conv / linear + bias + activation + residual) is one launch:
 * {@code y = (act(alpha * acc + bias) + residual) * outScale}, where bias is a separate argument of the launch
 * (per output channel / column), alpha is the GEMM's scale (1 for convolutions), and the residual (a device address,
 * 0 for none) has the output's layout and storage type.
 *
 * @param activation one of the {@code ACT_*} codes (shared with kernels/src/main/cuda/mma.cuh)
 * @param activationParam the LeakyReLU negative slope; ignored by the other activations
 * @param residual device address of a tensor added after the activation, or 0
 * @param outScale final factor (diffusers' 1 / output_scale_factor); 1 for none
 */
public record TensorCoreEpilogue(int activation, float activationParam, long residual, float outScale) {
    public static final int ACT_NONE = 0, ACT_SILU = 1, ACT_GELU = 2, ACT_GELU_TANH = 3, ACT_LEAKY_RELU = 4,
            ACT_QUICK_GELU = 5;

    /** Store the accumulator (plus bias) as it is. */
    public static final TensorCoreEpilogue NONE = new TensorCoreEpilogue(ACT_NONE, 0f, 0, 1f);

    public TensorCoreEpilogue {
        if (activation < ACT_NONE || activation > ACT_QUICK_GELU) throw new IllegalArgumentException("unknown activation code " + activation);
        if (!Float.isFinite(activationParam) || !Float.isFinite(outScale)) {
            throw new IllegalArgumentException("epilogue parameters must be finite: " + activationParam + ", " + outScale);
        }
    }

    public static TensorCoreEpilogue activation(int code) {
        return new TensorCoreEpilogue(code, 0f, 0, 1f);
    }

    public static TensorCoreEpilogue leakyRelu(float negativeSlope) {
        return new TensorCoreEpilogue(ACT_LEAKY_RELU, negativeSlope, 0, 1f);
    }

    /** This epilogue plus a residual at {@code address} (output layout and type). */
    public TensorCoreEpilogue withResidual(long address) {
        return new TensorCoreEpilogue(activation, activationParam, address, outScale);
    }

    public TensorCoreEpilogue withOutScale(float scale) {
        return new TensorCoreEpilogue(activation, activationParam, residual, scale);
    }
}
