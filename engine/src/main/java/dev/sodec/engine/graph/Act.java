package dev.sodec.engine.graph;

/**
 * An elementwise function: the UNARY op's attribute and the activation of a fused epilogue. {@code a} and
 * {@code b} are the kind's parameters (slope; multiplier and addend; bounds).
 */
public record Act(Kind kind, float a, float b) {
    public enum Kind {
        /** x * sigmoid(x). */
        SILU,
        /** 0.5 x (1 + erf(x / sqrt 2)). */
        GELU_ERF,
        /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
        GELU_TANH,
        /** x * sigmoid(1.702 x). */
        QUICK_GELU,
        /** x for x >= 0 else a x. */
        LEAKY_RELU,
        /** x * a + b (one fused multiply-add). */
        SCALE,
        /** min(max(x, a), b); NaN stays NaN. */
        CLAMP,
        /** |x|. */
        ABS
    }

    public Act {
        if (kind == Kind.CLAMP) {
            if (!(a <= b)) throw new IllegalArgumentException("clamp: bounds " + a + ", " + b + " are not ordered");
        } else if (!Float.isFinite(a) || !Float.isFinite(b)) {
            throw new IllegalArgumentException(kind.name().toLowerCase(java.util.Locale.ROOT) + ": parameters must be finite, got " + a + ", " + b);
        }
    }

    public static final Act SILU = new Act(Kind.SILU, 0, 0);
    public static final Act GELU_ERF = new Act(Kind.GELU_ERF, 0, 0);
    public static final Act GELU_TANH = new Act(Kind.GELU_TANH, 0, 0);
    public static final Act QUICK_GELU = new Act(Kind.QUICK_GELU, 0, 0);
    public static final Act ABS = new Act(Kind.ABS, 0, 0);

    public static Act leakyRelu(float slope) {
        return new Act(Kind.LEAKY_RELU, slope, 0);
    }

    public static Act scale(float mul, float add) {
        return new Act(Kind.SCALE, mul, add);
    }

    public static Act clamp(float lo, float hi) {
        return new Act(Kind.CLAMP, lo, hi);
    }

    /** A short name for profiles, e.g. "silu" or "leaky_relu". */
    public String label() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
