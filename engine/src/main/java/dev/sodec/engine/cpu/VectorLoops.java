package dev.sodec.engine.cpu;

import static dev.sodec.engine.cpu.VectorMath.L;
import static dev.sodec.engine.cpu.VectorMath.LE;
import static dev.sodec.engine.cpu.VectorMath.S;
import static dev.sodec.engine.cpu.VectorMath.load;
import static dev.sodec.engine.cpu.VectorMath.store;
import static dev.sodec.engine.cpu.VectorMath.tail;
import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.graph.Act;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@link CpuLoops} on the Vector API ({@link FloatVector#SPECIES_PREFERRED}). Loaded only when the incubator module
 * is present. Loops with a transcendental kernel have one masked call site each (see {@link VectorActivation});
 * the softmax passes are separate methods with scalar interfaces so each compiles within C2's inlining budget.
 */
final class VectorLoops implements CpuLoops {
    @Override
    public String describe() {
        return "Vector API " + S.vectorBitSize() + "-bit";
    }

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public void activation(Act act, MemorySegment x, long xBase, MemorySegment y, long yBase, long from, long to) {
        VectorActivation.range(act, x, xBase, y, yBase, from, to);
    }

    @Override
    public void binary(MemorySegment ad, MemorySegment bd, MemorySegment yd, long from, long to, boolean multiply) {
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
    }

    @Override
    public void addScalar(MemorySegment xd, MemorySegment yd, long base, long n, float bias) {
        FloatVector v = FloatVector.broadcast(S, bias);
        long i = 0;
        for (; i + L <= n; i += L) store(load(xd, base + i).add(v), yd, base + i);
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            store(load(xd, base + i, m).add(v), yd, base + i, m);
        }
    }

    @Override
    public void fill(MemorySegment yd, long base, long n, float value) {
        FloatVector bv = FloatVector.broadcast(S, value);
        long i = 0;
        for (; i + L <= n; i += L) store(bv, yd, base + i);
        if (i < n) store(bv, yd, base + i, tail(i, n));
    }

    @Override
    public void addInPlace(MemorySegment y, long yOff, MemorySegment b, long bOff, long n) {
        long i = 0;
        for (; i + L <= n; i += L) store(load(y, yOff + i).add(load(b, bOff + i)), y, yOff + i);
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            store(load(y, yOff + i, m).add(load(b, bOff + i, m)), y, yOff + i, m);
        }
    }

    @Override
    public void geglu(MemorySegment xd, long in, MemorySegment yd, long out, int n) {
        // Whole vectors unmasked, then one masked tail: with a mask built and applied on every step the UNet's 16
        // GEGLU calls at 256x256 took 76 ms, now 18 (bench/README).
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector h = load(xd, in + i), g = load(xd, in + n + i);
            store(h.mul(VectorMath.geluErf(g)), yd, out + i);
        }
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            FloatVector h = load(xd, in + i, m), g = load(xd, in + n + i, m);
            store(h.mul(VectorMath.geluErf(g)), yd, out + i, m);
        }
    }

    @Override
    public void gdnSquares(MemorySegment xd, long xOff, MemorySegment sqd, MemorySegment nd, long off, int n, float beta) {
        // Whole vectors unmasked, then one masked tail: a mask on every step made each step several times dearer
        // before the JIT compiles this loop, which is most of a short call's life (README "Start-up").
        FloatVector bv = FloatVector.broadcast(S, beta);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = load(xd, xOff + i);
            store(v.mul(v), sqd, off + i);
            store(bv, nd, off + i);
        }
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            FloatVector v = load(xd, xOff + i, m);
            store(v.mul(v), sqd, off + i, m);
            store(bv, nd, off + i, m);
        }
    }

    @Override
    public void gdnApply(MemorySegment xd, MemorySegment nd, MemorySegment yd, long xOff, long nOff, int n, boolean inverse) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = load(xd, xOff + i), r = load(nd, nOff + i).sqrt();
            store(inverse ? v.mul(r) : v.div(r), yd, xOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = tail(i, n);
            FloatVector v = load(xd, xOff + i, m), r = load(nd, nOff + i, m).sqrt();
            store(inverse ? v.mul(r) : v.div(r), yd, xOff + i, m);
        }
    }

    @Override
    public void affine(MemorySegment xd, MemorySegment yd, long off, long n, float a, float shift, boolean silu) {
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

    /** silu(x * a + shift); one masked call site for the exp-based kernel. */
    private static void affineSilu(MemorySegment xd, MemorySegment yd, long off, long n, float a, float shift) {
        FloatVector av = FloatVector.broadcast(S, a), sv = FloatVector.broadcast(S, shift);
        for (long i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromMemorySegment(S, xd, (off + i) * 4, LE, m).fma(av, sv);
            VectorMath.silu(v).intoMemorySegment(yd, (off + i) * 4, LE, m);
        }
    }

    @Override
    public void normalizeRow(MemorySegment xd, MemorySegment yd, MemorySegment wd, MemorySegment bd, long base, int d,
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

    @Override
    public void copyRun(MemorySegment src, long byteOff, float[] dst, int d, int n) {
        // Full vectors, then a scalar tail: masked segment loads fall off the intrinsic path.
        int t = 0;
        for (; t + L <= n; t += L) FloatVector.fromMemorySegment(S, src, byteOff + t * 4L, LE).intoArray(dst, d + t);
        for (; t < n; t++) dst[d + t] = src.get(F32_LE, byteOff + t * 4L);
    }

    @Override
    public void fmaRun(float[] acc, int accOff, MemorySegment src, long byteOff, float w, int n) {
        FloatVector wv = FloatVector.broadcast(S, w);
        int t = 0;
        for (; t + L <= n; t += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, src, byteOff + t * 4L, LE);
            x.fma(wv, FloatVector.fromArray(S, acc, accOff + t)).intoArray(acc, accOff + t);
        }
        for (; t < n; t++) acc[accOff + t] = Math.fma(w, src.get(F32_LE, byteOff + t * 4L), acc[accOff + t]);
    }

    @Override
    public void depthwiseRow(float[] pad, int base, int padW, float[] wt, int kh, int kw, int dh, int dw, float bias,
                             float[] row, int owVec) {
        // Each vector of outputs stays in a register across all taps.
        FloatVector b = FloatVector.broadcast(S, bias);
        for (int ox = 0; ox < owVec; ox += L) {
            FloatVector acc = b;
            for (int ky = 0; ky < kh; ky++) {
                int start = base + ky * dh * padW + ox;
                for (int kx = 0; kx < kw; kx++) {
                    acc = FloatVector.fromArray(S, pad, start + kx * dw).fma(FloatVector.broadcast(S, wt[ky * kw + kx]), acc);
                }
            }
            acc.intoArray(row, ox);
        }
    }

    @Override
    public int nr() {
        return VectorMicroKernel.NR;
    }

    @Override
    public void microKernel(float[] a, int aOff, float[] b, int bOff, int kc, MemorySegment c, long cOff, long ldcBytes,
                            int mr, int nr, boolean add, float[] tile) {
        if (mr == MR && nr == VectorMicroKernel.NR) {
            VectorMicroKernel.runFull(a, aOff, b, bOff, kc, c, cOff, ldcBytes, add);
        } else {
            VectorMicroKernel.run(a, aOff, b, bOff, kc, c, cOff, ldcBytes, mr, nr, add, tile);
        }
    }

    @Override
    public boolean readsPackedInPlace() {
        return true;
    }

    @Override
    public void microKernelPackedB(float[] a, int aOff, MemorySegment b, long bOff, int kc, MemorySegment c, long cOff,
                                   long ldcBytes, int mr, int nr, boolean add, float[] tile, float[] sliver) {
        if (mr == MR && nr == VectorMicroKernel.NR) {
            VectorMicroKernel.runPackedBFull(a, aOff, b, bOff, kc, c, cOff, ldcBytes, add);
        } else {
            VectorMicroKernel.runPackedB(a, aOff, b, bOff, kc, c, cOff, ldcBytes, mr, nr, add, tile);
        }
    }

    @Override
    public double sum(MemorySegment seg, long off, long n, float[] scratch) {
        return VectorMath.sum(seg, off, n, scratch);
    }

    @Override
    public double sumSquaredDeviation(MemorySegment seg, long off, long n, float mean, float[] scratch) {
        return VectorMath.sumSquaredDeviation(seg, off, n, mean, scratch);
    }

    @Override
    public void expColumnsOnline(MemorySegment x, long off, int rows, int cols, int ld, float scale, float[] max,
                                 float[] sums, float[] rescale, int at) {
        // Down one vector of columns at a time, the maximum and the sum in registers; each pass its own method (see
        // softmaxRow) and this one kept small (see columnMaxInto). Columns past the last full vector go one by one.
        float c = scale * ScalarMath.LOG2E;
        int full = cols - cols % L;
        if (full > 0) {
            System.arraycopy(max, at, rescale, at, full);
            for (int j = 0; j < full; j += L) columnMaxInto(x, off + j, rows, ld, max, at + j);
            rescaleSums(max, sums, rescale, at, full, c);
            for (int j = 0; j < full; j += L) expColumnInto(x, off + j, rows, ld, max, sums, at + j, c);
        }
        if (full < cols) expColumnsOneByOne(x, off, rows, full, cols, ld, c, max, sums, rescale, at);
    }

    /**
     * Columns [from, to) of {@link #expColumnsOnline}, one at a time with {@link ScalarMath#exp2NonPositive}: the
     * same loop as {@code ScalarLoops.expColumnsOnline}. Calling a shared static in ScalarLoops from here instead
     * measured the 6144-token attention 2.0x slower (paired, 8 rounds: C2 compiled expColumnsOnline differently and
     * boxed its vectors), so the twin stays.
     */
    private static void expColumnsOneByOne(MemorySegment x, long off, int rows, int from, int to, int ld, float c,
                                           float[] max, float[] sums, float[] rescale, int at) {
        for (int j = from; j < to; j++) {
            float m = max[at + j];
            for (int p = 0; p < rows; p++) m = Math.max(m, x.get(F32_LE, (off + (long) p * ld + j) * 4));
            rescale[at + j] = ScalarMath.exp2NonPositive(max[at + j] * c - m * c);
            float sum = sums[at + j] * rescale[at + j];
            float mc = -(m * c);
            for (int p = 0; p < rows; p++) {
                long i = (off + (long) p * ld + j) * 4;
                float e = ScalarMath.exp2NonPositive(Math.fma(x.get(F32_LE, i), c, mc));
                x.set(F32_LE, i, e);
                sum += e;
            }
            max[at + j] = m;
            sums[at + j] = sum;
        }
    }

    /** rescale (holding the old maxima) = 2^(old c - max c); sums *= rescale. */
    private static void rescaleSums(float[] max, float[] sums, float[] rescale, int at, int full, float c) {
        for (int j = at; j < at + full; j += L) {
            FloatVector r = VectorMath.exp2NonPositive(
                    FloatVector.fromArray(S, rescale, j).mul(c).sub(FloatVector.fromArray(S, max, j).mul(c)));
            r.intoArray(rescale, j);
            FloatVector.fromArray(S, sums, j).mul(r).intoArray(sums, j);
        }
    }

    @Override
    public void scaleColumns(MemorySegment c, long off, int rows, int cols, int ld, float[] f) {
        int full = cols - cols % L;
        for (int r = 0; r < rows; r++) {
            long rowAt = (off + (long) r * ld) * 4;
            for (int j = 0; j < full; j += L) {
                long at = rowAt + j * 4L;
                FloatVector.fromMemorySegment(S, c, at, LE).mul(FloatVector.fromArray(S, f, j)).intoMemorySegment(c, at, LE);
            }
            for (int j = full; j < cols; j++) {
                long at = rowAt + j * 4L;
                c.set(F32_LE, at, c.get(F32_LE, at) * f[j]);
            }
        }
    }

    /** max[i..] = the lane-wise maximum of max[i..] and the rows of one vector of columns from float {@code off}. */
    private static void columnMaxInto(MemorySegment x, long off, int rows, int ld, float[] max, int i) {
        // One chain: Java's max (NaN, signed zeros) is a sequence whose latency bounds it at ~13 cycles a row, but
        // a four-chain version made C2 inline it into expColumnsOnline in some runs and box the vectors there
        // (attention 1.9x slower, not every run).
        FloatVector m = FloatVector.fromArray(S, max, i);
        for (int p = 0; p < rows; p++) m = m.max(FloatVector.fromMemorySegment(S, x, (off + (long) p * ld) * 4, LE));
        m.intoArray(max, i);
    }

    /** x = 2^(x c - max c) down one vector of columns, each added to sums[i..] in row order. */
    private static void expColumnInto(MemorySegment x, long off, int rows, int ld, float[] max, float[] sums, int i,
                                      float c) {
        FloatVector mc = FloatVector.fromArray(S, max, i).mul(c).neg(), sum = FloatVector.fromArray(S, sums, i);
        FloatVector cv = FloatVector.broadcast(S, c);
        for (int p = 0; p < rows; p++) {
            long at = (off + (long) p * ld) * 4;
            FloatVector e = VectorMath.exp2NonPositive(FloatVector.fromMemorySegment(S, x, at, LE).fma(cv, mc));
            e.intoMemorySegment(x, at, LE);
            sum = sum.add(e);
        }
        sum.intoArray(sums, i);
    }

    @Override
    public void softmaxRow(MemorySegment src, long so, MemorySegment dst, long dOff, int n, float scale, float[] scratch) {
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
}
