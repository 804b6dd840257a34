package dev.sodec.engine.cpu;

import static dev.sodec.engine.cpu.VectorMath.L;
import static dev.sodec.engine.cpu.VectorMath.LE;
import static dev.sodec.engine.cpu.VectorMath.S;
import static dev.sodec.engine.cpu.VectorMath.load;
import static dev.sodec.engine.cpu.VectorMath.store;
import static dev.sodec.engine.cpu.VectorMath.tail;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Group norm, layer norm and softmax. Each reduction (a group, a row) is done whole by one thread in a fixed
 * order, so results do not depend on the thread count. Statistics are two-pass (mean, then squared deviations),
 * accumulated in float lanes per block and in double across blocks.
 */
final class CpuNorm {
    private CpuNorm() {}

    /** y = GroupNorm(x) (then SiLU when {@code fuseSilu}); shapes were checked when the node was recorded. */
    static void groupNorm(Parallel par, Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu, Tensor y) {
        int[] xs = x.shape();
        int nb = xs[0], c = xs[1];
        int cpg = c / groups;
        long plane = nb == 0 || c == 0 ? 0 : x.numel() / ((long) nb * c);
        long groupSize = cpg * plane;
        MemorySegment xd = x.data(), yd = y.data();
        MemorySegment wd = weight == null ? null : weight.data(), bd = bias == null ? null : bias.data();
        // Phase 1: statistics, one whole group per work item. Phase 2: normalisation, one channel plane per item
        // (finer than groups, so a batch of one with 32 groups still balances over many cores).
        int units = nb * groups;
        float[] means = new float[units], rstds = new float[units];
        par.forRange(units, 1, (u0, u1) -> {
            float[] scratch = new float[L];
            for (int u = u0; u < u1; u++) {
                long base = (long) u * groupSize;
                double mean = VectorMath.sum(xd, base, groupSize, scratch) / groupSize;
                double var = VectorMath.sumSquaredDeviation(xd, base, groupSize, (float) mean, scratch) / groupSize;
                means[u] = (float) mean;
                rstds[u] = (float) (1.0 / Math.sqrt(var + eps));
            }
        });
        par.forRange(nb * c, Math.max(1, (int) (CpuElementwise.CHUNK / Math.max(plane, 1))), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int ch = pl % c, u = (pl / c) * groups + ch / cpg;
                float w = wd == null ? 1f : wd.getAtIndex(Tensor.F32_LE, ch);
                float bb = bd == null ? 0f : bd.getAtIndex(Tensor.F32_LE, ch);
                float a = rstds[u] * w;
                affine(xd, yd, (long) pl * plane, plane, a, bb - means[u] * a, fuseSilu);
            }
        });
    }

    /** y = x * a + shift (then silu) over [off, off + n). */
    private static void affine(MemorySegment xd, MemorySegment yd, long off, long n, float a, float shift, boolean silu) {
        if (silu) {
            affineSilu(xd, yd, off, n, a, shift);
            return;
        }
        FloatVector av = FloatVector.broadcast(S, a), sv = FloatVector.broadcast(S, shift);
        long i = 0;
        for (; i + L <= n; i += L) store(load(xd, off + i).fma(av, sv), yd, off + i);
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            store(load(xd, off + i, m).fma(av, sv), yd, off + i, m);
        }
    }

    /** silu(x * a + shift); one masked call site for the exp-based kernel (see CpuElementwise.unaryRange). */
    private static void affineSilu(MemorySegment xd, MemorySegment yd, long off, long n, float a, float shift) {
        FloatVector av = FloatVector.broadcast(S, a), sv = FloatVector.broadcast(S, shift);
        for (long i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromMemorySegment(S, xd, (off + i) * 4, LE, m).fma(av, sv);
            VectorMath.silu(v).intoMemorySegment(yd, (off + i) * 4, LE, m);
        }
    }

    static void layerNorm(Parallel par, Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        int[] xs = x.shape();
        int d = xs[xs.length - 1];
        int rows = rows("layer_norm", x, d);
        MemorySegment xd = x.data(), yd = y.data();
        MemorySegment wd = weight == null ? null : weight.data(), bd = bias == null ? null : bias.data();
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / Math.max(d, 1)), (r0, r1) -> {
            float[] scratch = new float[L];
            for (int r = r0; r < r1; r++) {
                long base = (long) r * d;
                double mean = VectorMath.sum(xd, base, d, scratch) / d;
                double var = VectorMath.sumSquaredDeviation(xd, base, d, (float) mean, scratch) / d;
                normalizeRow(xd, yd, wd, bd, base, d, (float) mean, (float) (1.0 / Math.sqrt(var + eps)));
            }
        });
    }

    /** y = (x - mean) * rstd * w + b over one row; a method of its own so the statistics and this loop compile apart. */
    private static void normalizeRow(MemorySegment xd, MemorySegment yd, MemorySegment wd, MemorySegment bd, long base, int d,
                                     float mean, float rstd) {
        FloatVector mv = FloatVector.broadcast(S, mean), rv = FloatVector.broadcast(S, rstd);
        FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= d; i += L) {
            FloatVector w = wd == null ? one : load(wd, i);
            FloatVector b = bd == null ? zero : load(bd, i);
            store(load(xd, base + i).sub(mv).mul(rv).fma(w, b), yd, base + i);
        }
        if (i < d) {
            VectorMask<Float> m = tail(i, d);
            FloatVector w = wd == null ? one : load(wd, i, m);
            FloatVector b = bd == null ? zero : load(bd, i, m);
            store(load(xd, base + i, m).sub(mv).mul(rv).fma(w, b), yd, base + i, m);
        }
    }

    /** Softmax over the last dim; the row max is subtracted first so large inputs do not overflow. */
    static void softmax(Parallel par, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int d = xs[xs.length - 1];
        int rows = rows("softmax", x, d);
        MemorySegment xd = x.data(), yd = y.data();
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / Math.max(d, 1)), (r0, r1) -> {
            float[] scratch = new float[L];
            for (int r = r0; r < r1; r++) {
                long base = (long) r * d;
                softmaxRow(xd, base, yd, base, d, 1f, scratch);
            }
        });
    }

    /**
     * dst[0, n) = softmax(src[0, n) * scale) for scale > 0. Shared by the attention kernel, which passes its scores
     * tile as both src and dst.
     */
    static void softmaxRow(MemorySegment src, long so, MemorySegment dst, long dOff, int n, float scale, float[] scratch) {
        // Three passes in three methods with scalar interfaces: compiled as one body they exceed C2's inlining
        // node budget and vectors get boxed (measured 2.3 vs 0.9 ns/elem).
        float max = rowMax(src, so, n, scratch);
        float sum = expShiftedRow(src, so, dst, dOff, n, max, scale, scratch);
        divideRow(dst, dOff, n, sum);
    }

    private static float rowMax(MemorySegment src, long so, int n, float[] scratch) {
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) mx = mx.max(load(src, so + i));
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            mx = mx.max(load(src, so + i, m).blend(Float.NEGATIVE_INFINITY, m.not()));
        }
        return VectorMath.maxLanes(mx, scratch);
    }

    /** dst = exp((src - max) * scale), returns the sum. scale > 0 keeps (s - max) * scale <= 0. */
    private static float expShiftedRow(MemorySegment src, long so, MemorySegment dst, long dOff, int n, float max, float scale,
                                       float[] scratch) {
        FloatVector mv = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        // one masked call site for exp (see CpuElementwise.unaryRange)
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(S, src, (so + i) * 4, LE, m).sub(mv).mul(scale))
                    .blend(0f, m.not());
            acc = acc.add(e);
            e.intoMemorySegment(dst, (dOff + i) * 4, LE, m);
        }
        return (float) VectorMath.sumLanes(acc, scratch);
    }

    private static void divideRow(MemorySegment dst, long dOff, int n, float sum) {
        FloatVector sv = FloatVector.broadcast(S, sum);
        int i = 0;
        for (; i + L <= n; i += L) store(load(dst, dOff + i).div(sv), dst, dOff + i);
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            store(load(dst, dOff + i, m).div(sv), dst, dOff + i, m);
        }
    }

    private static int rows(String op, Tensor x, int d) {
        long rows = d == 0 ? 0 : x.numel() / d;
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": too many rows (" + rows + ")");
        return (int) rows;
    }
}
