package dev.sodec.engine.cpu;

import static dev.sodec.engine.cpu.VectorMath.L;
import static dev.sodec.engine.cpu.VectorMath.LE;
import static dev.sodec.engine.cpu.VectorMath.S;

import dev.sodec.engine.graph.Act;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Elementwise functions ({@link Act}) over ranges of F32 elements: the UNARY op and the activation of fused
 * epilogues. Source and destination may be the same memory (in place).
 *
 * <p>Loops around the transcendental kernels have exactly one call site each, every step masked (cheap next to
 * exp): a second, tail-only call site doubles the IR, and past C2's inlining node budget the loads and stores stop
 * being inlined and every vector gets boxed (measured: 3x slower).
 */
final class VectorActivation {
    private VectorActivation() {}

    /** y[i] = act(x[i]) for element indices [from, to). */
    static void range(Act act, MemorySegment xd, long xBase, MemorySegment yd, long yBase, long from, long to) {
        switch (act.kind()) {
            case SILU -> silu(xd, xBase, yd, yBase, from, to);
            case GELU_ERF -> geluErf(xd, xBase, yd, yBase, from, to);
            case GELU_TANH -> geluTanh(xd, xBase, yd, yBase, from, to);
            case QUICK_GELU -> quickGelu(xd, xBase, yd, yBase, from, to);
            case LEAKY_RELU, SCALE, CLAMP, ABS -> cheap(act, xd, xBase, yd, yBase, from, to);
        }
    }

    private static void silu(MemorySegment xd, long xb, MemorySegment yd, long yb, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.silu(FloatVector.fromMemorySegment(S, xd, (xb + i) * 4, LE, m)).intoMemorySegment(yd, (yb + i) * 4, LE, m);
        }
    }

    private static void geluErf(MemorySegment xd, long xb, MemorySegment yd, long yb, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.geluErf(FloatVector.fromMemorySegment(S, xd, (xb + i) * 4, LE, m)).intoMemorySegment(yd, (yb + i) * 4, LE, m);
        }
    }

    private static void geluTanh(MemorySegment xd, long xb, MemorySegment yd, long yb, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.geluTanh(FloatVector.fromMemorySegment(S, xd, (xb + i) * 4, LE, m)).intoMemorySegment(yd, (yb + i) * 4, LE, m);
        }
    }

    private static void quickGelu(MemorySegment xd, long xb, MemorySegment yd, long yb, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.quickGelu(FloatVector.fromMemorySegment(S, xd, (xb + i) * 4, LE, m)).intoMemorySegment(yd, (yb + i) * 4, LE, m);
        }
    }

    /** The functions without transcendentals: full vectors, then one masked tail. */
    private static void cheap(Act act, MemorySegment xd, long xb, MemorySegment yd, long yb, long from, long to) {
        long i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(S, xd, (xb + i) * 4, LE);
            cheap(act, v).intoMemorySegment(yd, (yb + i) * 4, LE);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector v = FloatVector.fromMemorySegment(S, xd, (xb + i) * 4, LE, m);
            cheap(act, v).intoMemorySegment(yd, (yb + i) * 4, LE, m);
        }
    }

    private static FloatVector cheap(Act act, FloatVector v) {
        return switch (act.kind()) {
            case LEAKY_RELU -> v.blend(v.mul(act.a()), v.lt(0f));
            case SCALE -> v.fma(act.a(), act.b());
            case CLAMP -> v.max(act.a()).min(act.b());
            case ABS -> v.abs();
            default -> throw new IllegalArgumentException("not a cheap activation: " + act);
        };
    }
}
