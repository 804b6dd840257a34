package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.graph.Act;
import java.lang.foreign.MemorySegment;

/**
 * {@link CpuLoops} in plain Java, for JVMs started without {@code jdk.incubator.vector}. Each element goes through
 * the same float operations as in {@link VectorLoops} (Math.fma where the vector code fuses), so results match it
 * bit for bit except in the reductions, which accumulate in double here. The loops are simple counted loops over
 * arrays or segments, which C2 may vectorise itself.
 */
final class ScalarLoops implements CpuLoops {
    /** Nominal lane count: sizes the reductions' scratch and the micro-tile (NR = 2 * LANES, as with 256-bit AVX). */
    private static final int LANES = 8;
    private static final int NR = 2 * LANES;

    @Override
    public String describe() {
        return "scalar loops (start the JVM with --add-modules " + VectorApi.MODULE + " for the Vector API)";
    }

    @Override
    public int lanes() {
        return LANES;
    }

    private static float get(MemorySegment s, long i) {
        return s.getAtIndex(F32_LE, i);
    }

    private static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(F32_LE, i, v);
    }

    @Override
    public void activation(Act act, MemorySegment x, long xBase, MemorySegment y, long yBase, long from, long to) {
        float a = act.a(), b = act.b();
        switch (act.kind()) {
            case SILU -> { for (long i = from; i < to; i++) set(y, yBase + i, ScalarMath.silu(get(x, xBase + i))); }
            case GELU_ERF -> { for (long i = from; i < to; i++) set(y, yBase + i, ScalarMath.geluErf(get(x, xBase + i))); }
            case GELU_TANH -> { for (long i = from; i < to; i++) set(y, yBase + i, ScalarMath.geluTanh(get(x, xBase + i))); }
            case QUICK_GELU -> { for (long i = from; i < to; i++) set(y, yBase + i, ScalarMath.quickGelu(get(x, xBase + i))); }
            case LEAKY_RELU -> {
                for (long i = from; i < to; i++) {
                    float v = get(x, xBase + i);
                    set(y, yBase + i, v < 0f ? v * a : v);
                }
            }
            case SCALE -> { for (long i = from; i < to; i++) set(y, yBase + i, Math.fma(get(x, xBase + i), a, b)); }
            case CLAMP -> { for (long i = from; i < to; i++) set(y, yBase + i, Math.min(Math.max(get(x, xBase + i), a), b)); }
            case ABS -> { for (long i = from; i < to; i++) set(y, yBase + i, Math.abs(get(x, xBase + i))); }
        }
    }

    @Override
    public void binary(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to, boolean multiply) {
        if (multiply) {
            for (long i = from; i < to; i++) set(y, i, get(a, i) * get(b, i));
        } else {
            for (long i = from; i < to; i++) set(y, i, get(a, i) + get(b, i));
        }
    }

    @Override
    public void addScalar(MemorySegment x, MemorySegment y, long off, long n, float v) {
        for (long i = off; i < off + n; i++) set(y, i, get(x, i) + v);
    }

    @Override
    public void fill(MemorySegment y, long off, long n, float v) {
        for (long i = off; i < off + n; i++) set(y, i, v);
    }

    @Override
    public void addInPlace(MemorySegment y, long yOff, MemorySegment b, long bOff, long n) {
        for (long i = 0; i < n; i++) set(y, yOff + i, get(y, yOff + i) + get(b, bOff + i));
    }

    @Override
    public void geglu(MemorySegment x, long in, MemorySegment y, long out, int n) {
        for (int i = 0; i < n; i++) set(y, out + i, get(x, in + i) * ScalarMath.geluErf(get(x, in + n + i)));
    }

    @Override
    public void gdnSquares(MemorySegment x, long xOff, MemorySegment sq, MemorySegment norm, long off, int n, float beta) {
        for (int i = 0; i < n; i++) {
            float v = get(x, xOff + i);
            set(sq, off + i, v * v);
            set(norm, off + i, beta);
        }
    }

    @Override
    public void gdnApply(MemorySegment x, MemorySegment norm, MemorySegment y, long xOff, long nOff, int n, boolean inverse) {
        for (int i = 0; i < n; i++) {
            float v = get(x, xOff + i), r = (float) Math.sqrt(get(norm, nOff + i));
            set(y, xOff + i, inverse ? v * r : v / r);
        }
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long off, long n, float a, float shift, boolean silu) {
        if (silu) {
            for (long i = off; i < off + n; i++) set(y, i, ScalarMath.silu(Math.fma(get(x, i), a, shift)));
        } else {
            for (long i = off; i < off + n; i++) set(y, i, Math.fma(get(x, i), a, shift));
        }
    }

    @Override
    public void normalizeRow(MemorySegment x, MemorySegment y, MemorySegment w, MemorySegment b, long base, int d,
                             float mean, float rstd) {
        for (int i = 0; i < d; i++) {
            float wi = w == null ? 1f : get(w, i), bi = b == null ? 0f : get(b, i);
            set(y, base + i, Math.fma((get(x, base + i) - mean) * rstd, wi, bi));
        }
    }

    @Override
    public void copyRun(MemorySegment src, long byteOff, float[] dst, int d, int n) {
        MemorySegment.copy(src, F32_LE, byteOff, dst, d, n);
    }

    @Override
    public void fmaRun(float[] acc, int accOff, MemorySegment src, long byteOff, float w, int n) {
        for (int t = 0; t < n; t++) acc[accOff + t] = Math.fma(w, src.get(F32_LE, byteOff + t * 4L), acc[accOff + t]);
    }

    @Override
    public void depthwiseRow(float[] pad, int base, int padW, float[] wt, int kh, int kw, int dh, int dw, float bias,
                             float[] row, int owVec) {
        // Tap by tap over the whole row: each output still sees bias, then its taps in (ky, kx) order.
        java.util.Arrays.fill(row, 0, owVec, bias);
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int start = base + ky * dh * padW + kx * dw;
                float w = wt[ky * kw + kx];
                for (int ox = 0; ox < owVec; ox++) row[ox] = Math.fma(pad[start + ox], w, row[ox]);
            }
        }
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void microKernel(float[] a, int aOff, float[] b, int bOff, int kc, MemorySegment c, long cOff, long ldcBytes,
                            int mr, int nr, boolean add, float[] tile) {
        java.util.Arrays.fill(tile, 0, MR * NR, 0f);
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR, bi = bOff + p * NR;
            for (int i = 0; i < MR; i++) {
                float av = a[ai + i];
                int t = i * NR;
                for (int j = 0; j < NR; j++) tile[t + j] = Math.fma(av, b[bi + j], tile[t + j]);
            }
        }
        for (int r = 0; r < mr; r++) {
            long off = cOff + r * ldcBytes;
            for (int j = 0; j < nr; j++) {
                float v = tile[r * NR + j];
                if (add) v = c.get(F32_LE, off + j * 4L) + v;
                c.set(F32_LE, off + j * 4L, v);
            }
        }
    }

    @Override
    public double sum(MemorySegment seg, long off, long n, float[] scratch) {
        double s = 0;
        for (long i = off; i < off + n; i++) s += get(seg, i);
        return s;
    }

    @Override
    public double sumSquaredDeviation(MemorySegment seg, long off, long n, float mean, float[] scratch) {
        double s = 0;
        for (long i = off; i < off + n; i++) {
            float d = get(seg, i) - mean;
            s += d * d;
        }
        return s;
    }

    @Override
    public void expColumnsOnline(MemorySegment x, long off, int rows, int cols, int ld, float scale, float[] max,
                                 float[] sums, float[] rescale, int at) {
        float c = scale * ScalarMath.LOG2E;
        for (int j = 0; j < cols; j++) {
            float m = max[at + j];
            for (int p = 0; p < rows; p++) m = Math.max(m, get(x, off + (long) p * ld + j));
            rescale[at + j] = ScalarMath.exp2NonPositive(max[at + j] * c - m * c);
            float sum = sums[at + j] * rescale[at + j];
            float mc = -(m * c);
            for (int p = 0; p < rows; p++) {
                long i = off + (long) p * ld + j;
                float e = ScalarMath.exp2NonPositive(Math.fma(get(x, i), c, mc));
                set(x, i, e);
                sum += e;
            }
            max[at + j] = m;
            sums[at + j] = sum;
        }
    }

    @Override
    public void scaleColumns(MemorySegment c, long off, int rows, int cols, int ld, float[] f) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                long i = off + (long) r * ld + j;
                set(c, i, get(c, i) * f[j]);
            }
        }
    }

    @Override
    public void softmaxRow(MemorySegment src, long so, MemorySegment dst, long dOff, int n, float scale, float[] scratch) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, get(src, so + i));
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = ScalarMath.exp((get(src, so + i) - max) * scale);
            sum += e;
            set(dst, dOff + i, e);
        }
        float s = (float) sum;
        for (int i = 0; i < n; i++) set(dst, dOff + i, get(dst, dOff + i) / s);
    }
}
