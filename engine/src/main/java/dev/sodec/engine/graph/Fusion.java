package dev.sodec.engine.graph;

/** Fused node forms a backend can run as one kernel; {@link Fusions} only makes the ones its backend declares. */
public enum Fusion {
    /** GroupNorm followed by SiLU. */
    GROUP_NORM_SILU,
    /** A convolution (or transposed convolution) followed by an elementwise activation. */
    CONV_ACTIVATION,
    /** A convolution's result added to another value (the residual connection). */
    CONV_RESIDUAL,
    /** A linear layer followed by an elementwise activation. */
    LINEAR_ACTIVATION,
    /** A linear layer's result added to another value. */
    LINEAR_RESIDUAL
}
