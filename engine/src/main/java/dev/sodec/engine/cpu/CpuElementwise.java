package dev.sodec.engine.cpu;

import static dev.sodec.engine.cpu.VectorMath.L;
import static dev.sodec.engine.cpu.VectorMath.LE;
import static dev.sodec.engine.cpu.VectorMath.S;
import static dev.sodec.engine.cpu.VectorMath.load;
import static dev.sodec.engine.cpu.VectorMath.store;
import static dev.sodec.engine.cpu.VectorMath.tail;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** Element-wise ops on contiguous F32 tensors, split over fixed-size chunks of elements. */
final class CpuElementwise {
    private CpuElementwise() {}

    /** Elements per work item: large enough to amortise scheduling, small enough to balance. */
    static final int CHUNK = 1 << 14;

    enum Unary { SILU, GELU_ERF, GELU_TANH, QUICK_GELU }

    /** Runs body(from, to) over [0, n) in CHUNK-sized element ranges. */
    interface LongRange {
        void run(long from, long to);
    }

    static void chunks(Parallel par, long n, LongRange body) {
        long nChunks = (n + CHUNK - 1) / CHUNK;
        if (nChunks > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor of " + n + " elements is too large");
        par.forRange((int) nChunks, 1, (c0, c1) -> body.run((long) c0 * CHUNK, Math.min(n, (long) c1 * CHUNK)));
    }

    static Tensor unary(Parallel par, Tensor x, Unary op) {
        Tensor y = Tensor.zeros(x.shape());
        MemorySegment xd = x.data(), yd = y.data();
        chunks(par, x.numel(), (from, to) -> unaryRange(op, xd, yd, from, to));
        return y;
    }

    /*
     * Loops around the transcendental kernels have exactly one call site each, every step masked (cheap next to
     * exp): a second, tail-only call site doubles the IR, and past C2's inlining node budget the loads and stores
     * stop being inlined and every vector gets boxed (measured: 3x slower). Loads and stores call the JDK's
     * force-inlined methods directly for the same reason.
     */

    static void unaryRange(Unary op, MemorySegment xd, MemorySegment yd, long from, long to) {
        switch (op) {
            case SILU -> siluRange(xd, yd, from, to);
            case GELU_ERF -> geluErfRange(xd, yd, from, to);
            case GELU_TANH -> geluTanhRange(xd, yd, from, to);
            case QUICK_GELU -> quickGeluRange(xd, yd, from, to);
        }
    }

    static void siluRange(MemorySegment xd, MemorySegment yd, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.silu(FloatVector.fromMemorySegment(S, xd, i * 4, LE, m)).intoMemorySegment(yd, i * 4, LE, m);
        }
    }

    private static void geluErfRange(MemorySegment xd, MemorySegment yd, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.geluErf(FloatVector.fromMemorySegment(S, xd, i * 4, LE, m)).intoMemorySegment(yd, i * 4, LE, m);
        }
    }

    private static void geluTanhRange(MemorySegment xd, MemorySegment yd, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.geluTanh(FloatVector.fromMemorySegment(S, xd, i * 4, LE, m)).intoMemorySegment(yd, i * 4, LE, m);
        }
    }

    private static void quickGeluRange(MemorySegment xd, MemorySegment yd, long from, long to) {
        for (long i = from; i < to; i += L) {
            VectorMask<Float> m = S.indexInRange(i, to);
            VectorMath.quickGelu(FloatVector.fromMemorySegment(S, xd, i * 4, LE, m)).intoMemorySegment(yd, i * 4, LE, m);
        }
    }

    static Tensor leakyRelu(Parallel par, Tensor x, float slope) {
        Tensor y = Tensor.zeros(x.shape());
        MemorySegment xd = x.data(), yd = y.data();
        chunks(par, x.numel(), (from, to) -> {
            long i = from;
            for (; i + L <= to; i += L) {
                FloatVector v = load(xd, i);
                store(v.blend(v.mul(slope), v.lt(0f)), yd, i);
            }
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                FloatVector v = load(xd, i, m);
                store(v.blend(v.mul(slope), v.lt(0f)), yd, i, m);
            }
        });
        return y;
    }

    /** x * mul + add (one fma per element). */
    static Tensor scale(Parallel par, Tensor x, float mul, float add) {
        Tensor y = Tensor.zeros(x.shape());
        MemorySegment xd = x.data(), yd = y.data();
        FloatVector mv = FloatVector.broadcast(S, mul), av = FloatVector.broadcast(S, add);
        chunks(par, x.numel(), (from, to) -> {
            long i = from;
            for (; i + L <= to; i += L) store(load(xd, i).fma(mv, av), yd, i);
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                store(load(xd, i, m).fma(mv, av), yd, i, m);
            }
        });
        return y;
    }

    /** min(max(x, lo), hi); NaN stays NaN like torch.clamp. */
    static Tensor clamp(Parallel par, Tensor x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: min " + lo + " > max " + hi);
        Tensor y = Tensor.zeros(x.shape());
        MemorySegment xd = x.data(), yd = y.data();
        chunks(par, x.numel(), (from, to) -> {
            long i = from;
            for (; i + L <= to; i += L) store(load(xd, i).max(lo).min(hi), yd, i);
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                store(load(xd, i, m).max(lo).min(hi), yd, i, m);
            }
        });
        return y;
    }

    static Tensor binary(Parallel par, Tensor a, Tensor b, boolean multiply, String op) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " differ");
        }
        Tensor y = Tensor.zeros(a.shape());
        MemorySegment ad = a.data(), bd = b.data(), yd = y.data();
        chunks(par, a.numel(), (from, to) -> {
            long i = from;
            for (; i + L <= to; i += L) {
                FloatVector u = load(ad, i), v = load(bd, i);
                store(multiply ? u.mul(v) : u.add(v), yd, i);
            }
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                FloatVector u = load(ad, i, m), v = load(bd, i, m);
                store(multiply ? u.mul(v) : u.add(v), yd, i, m);
            }
        });
        return y;
    }

    /** x (B, C, ...) + bias broadcast over the trailing dims; bias is (C) or (B, C). */
    static Tensor addPerChannel(Parallel par, Tensor x, Tensor bias) {
        int[] xs = x.shape();
        if (xs.length < 2) throw new IllegalArgumentException("addPerChannel: x must be (B, C, ...), got " + Arrays.toString(xs));
        int nb = xs[0], c = xs[1];
        boolean perBatch;
        if (bias.rank() == 1 && bias.dim(0) == c) perBatch = false;
        else if (bias.rank() == 2 && bias.dim(0) == nb && bias.dim(1) == c) perBatch = true;
        else throw new IllegalArgumentException("addPerChannel: bias " + Arrays.toString(bias.shape())
                + " is neither (C) nor (B, C) for x " + Arrays.toString(xs));
        long plane = x.numel() / Math.max(1L * nb * c, 1);
        Tensor y = Tensor.zeros(xs);
        MemorySegment xd = x.data(), bd = bias.data(), yd = y.data();
        par.forRange(nb * c, Math.max(1, (int) (CHUNK / Math.max(plane, 1))), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                float bv = bd.getAtIndex(Tensor.F32_LE, perBatch ? r : r % c);
                FloatVector v = FloatVector.broadcast(S, bv);
                long base = r * plane;
                long i = 0;
                for (; i + L <= plane; i += L) store(load(xd, base + i).add(v), yd, base + i);
                if (i < plane) {
                    VectorMask<Float> m = tail(i, plane);
                    store(load(xd, base + i, m).add(v), yd, base + i, m);
                }
            }
        });
        return y;
    }

    /** x (..., 2n) -> hidden * gelu_erf(gate) (..., n), hidden = first half, gate = second half (diffusers GEGLU). */
    static Tensor geglu(Parallel par, Tensor x) {
        int[] s = x.shape();
        int two = s[s.length - 1];
        if (two % 2 != 0) throw new IllegalArgumentException("geglu: last dim " + two + " is odd");
        int n = two / 2;
        long rows = x.numel() / Math.max(two, 1);
        s[s.length - 1] = n;
        Tensor y = Tensor.zeros(s);
        MemorySegment xd = x.data(), yd = y.data();
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("geglu: too many rows " + rows);
        par.forRange((int) rows, Math.max(1, CHUNK / Math.max(n, 1)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) gegluRow(xd, r * two, yd, r * n, n);
        });
        return y;
    }

    /** One row of geglu; one masked call site for the erf kernel (see unaryRange). */
    private static void gegluRow(MemorySegment xd, long in, MemorySegment yd, long out, int n) {
        for (long i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector h = FloatVector.fromMemorySegment(S, xd, (in + i) * 4, LE, m);
            FloatVector g = FloatVector.fromMemorySegment(S, xd, (in + n + i) * 4, LE, m);
            h.mul(VectorMath.geluErf(g)).intoMemorySegment(yd, (out + i) * 4, LE, m);
        }
    }
}
