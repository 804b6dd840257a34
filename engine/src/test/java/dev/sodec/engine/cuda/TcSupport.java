package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;

/**
 * Shared pieces of the tensor-core kernel tests: storage-rounded random inputs, the CPU form of the epilogue, and
 * the tolerance check that also reports the worst error measured (one "tc-error" line per check on stdout).
 *
 * <p>Tolerances derive from the storage type's unit roundoff u (half an ulp, relative): 2^-11 for F16, 2^-8 for
 * BF16. An F32 result rounded once to the storage type is within u |ref| of the F32 reference, plus the difference
 * between two F32 accumulation orders (atol).
 */
final class TcSupport {
    private TcSupport() {}

    /** Unit roundoff of a 16-bit storage type: the largest relative error of one rounding (normal range). */
    static double unitRoundoff(DType t) {
        return t == DType.F16 ? Math.scalb(1.0, -11) : Math.scalb(1.0, -8);
    }

    /** Random values in [lo, hi) stored as {@code t}; {@code .toF32()} of the result is what the CPU reference takes. */
    static Tensor stored(DType t, long seed, float lo, float hi, int... shape) {
        return EmuSupport.random(seed, lo, hi, shape).toFloatType(t);
    }

    /**
     * |actual - expected| <= atol + rtol |expected| everywhere (NaN fails); prints the worst absolute error and the
     * worst error as a fraction of its tolerance.
     */
    static void check(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worstAbs = 0, worstRatio = 0;
        int worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(a) || Double.isInfinite(a)) fail(what + ": element " + i + " is " + a + ", expected " + e);
            double err = Math.abs(a - e), ratio = err / (atol + rtol * Math.abs(e));
            worstAbs = Math.max(worstAbs, err);
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        System.out.printf("tc-error %-58s max|err| %.3e  worst err/tol %.3f  (atol %.1e, rtol %.2e, n %d)%n", what,
                worstAbs, worstRatio, atol, rtol, expected.length);
        if (worstRatio > 1) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst] + " (atol " + atol
                    + ", rtol " + rtol + ")");
        }
    }

    /** The epilogue on the CPU: (act(acc) + residual) * outScale over F32 tensors (acc includes the bias). */
    static Tensor epilogue(Eager cpu, Tensor acc, TensorCoreEpilogue e, Tensor residual) {
        Tensor v = switch (e.activation()) {
            case TensorCoreEpilogue.ACT_SILU -> cpu.silu(acc);
            case TensorCoreEpilogue.ACT_GELU -> cpu.geluErf(acc);
            case TensorCoreEpilogue.ACT_GELU_TANH -> cpu.geluTanh(acc);
            case TensorCoreEpilogue.ACT_LEAKY_RELU -> cpu.leakyRelu(acc, e.activationParam());
            case TensorCoreEpilogue.ACT_QUICK_GELU -> cpu.quickGelu(acc);
            default -> acc;
        };
        if (residual != null) v = cpu.add(v, residual);
        if (e.outScale() != 1f) v = cpu.scale(v, e.outScale(), 0f);
        return v;
    }

    /** Epilogue from a test parameter: an activation name (none, silu, gelu, gelu_tanh, leaky, quick_gelu). */
    static TensorCoreEpilogue epilogue(String act) {
        return switch (act) {
            case "none" -> TensorCoreEpilogue.NONE;
            case "silu" -> TensorCoreEpilogue.activation(TensorCoreEpilogue.ACT_SILU);
            case "gelu" -> TensorCoreEpilogue.activation(TensorCoreEpilogue.ACT_GELU);
            case "gelu_tanh" -> TensorCoreEpilogue.activation(TensorCoreEpilogue.ACT_GELU_TANH);
            case "leaky" -> TensorCoreEpilogue.leakyRelu(0.01f);
            case "quick_gelu" -> TensorCoreEpilogue.activation(TensorCoreEpilogue.ACT_QUICK_GELU);
            default -> throw new IllegalArgumentException(act);
        };
    }
}
