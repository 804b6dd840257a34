package dev.sodec.engine.cpu;

import dev.sodec.engine.graph.Act;
import java.lang.foreign.MemorySegment;

/**
 * The CPU backend's innermost loops, the only code that may use {@code jdk.incubator.vector}. Everything above them
 * (splitting work over threads, blocking, packing, epilogues) names only this interface, so the engine links and runs
 * without the incubator module. One implementation is chosen per JVM ({@link #INSTANCE}): {@code VectorLoops} when
 * {@link VectorApi#enabled()}, else {@code ScalarLoops}; the other class is never loaded.
 *
 * <p>Both compute every element by the same sequence of IEEE float operations (lane-wise operations are per-element
 * statements, FMA chains run in the same order), so they agree bit for bit, except in the reductions ({@link #sum},
 * {@link #sumSquaredDeviation}, the softmax sum), whose order follows the lane count.
 * All segment offsets are in floats unless named {@code byte...}; F32 data is little-endian.
 */
interface CpuLoops {
    /** The loops of this JVM. */
    CpuLoops INSTANCE = VectorApi.enabled() ? new VectorLoops() : new ScalarLoops();

    /** How the loops run, for {@code Backend.description()}. */
    String describe();

    /** Floats per vector (the size of the scratch arrays the reductions take); 8 for the scalar loops. */
    int lanes();

    // ---- element-wise (bit-identical between implementations) ----

    /** y[yBase + i] = act(x[xBase + i]) for i in [from, to); x and y may be the same memory. */
    void activation(Act act, MemorySegment x, long xBase, MemorySegment y, long yBase, long from, long to);

    /** y[i] = a[i] + b[i] (or a[i] * b[i]) for i in [from, to). */
    void binary(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to, boolean multiply);

    /** y[off + i] = x[off + i] + v for i in [0, n). */
    void addScalar(MemorySegment x, MemorySegment y, long off, long n, float v);

    /** y[off + i] = v for i in [0, n). */
    void fill(MemorySegment y, long off, long n, float v);

    /** y[yOff + i] = y[yOff + i] + b[bOff + i] for i in [0, n). */
    void addInPlace(MemorySegment y, long yOff, MemorySegment b, long bOff, long n);

    /** y[out + i] = x[in + i] * gelu_erf(x[in + n + i]) for i in [0, n) (diffusers GEGLU, one row). */
    void geglu(MemorySegment x, long in, MemorySegment y, long out, int n);

    /** sq[off + i] = x[xOff + i]^2 and norm[off + i] = beta for i in [0, n) (GDN's GEMM operands). */
    void gdnSquares(MemorySegment x, long xOff, MemorySegment sq, MemorySegment norm, long off, int n, float beta);

    /** y[xOff + i] = x[xOff + i] / sqrt(norm[nOff + i]) (times for the inverse) for i in [0, n). */
    void gdnApply(MemorySegment x, MemorySegment norm, MemorySegment y, long xOff, long nOff, int n, boolean inverse);

    /** y = fma(x, a, shift), then SiLU when {@code silu}, over [off, off + n). */
    void affine(MemorySegment x, MemorySegment y, long off, long n, float a, float shift, boolean silu);

    /** y = fma((x - mean) * rstd, w, b) over one row of d; w (b) is 1 (0) when null. */
    void normalizeRow(MemorySegment x, MemorySegment y, MemorySegment w, MemorySegment b, long base, int d,
                      float mean, float rstd);

    /** dst[d + i] = src[byteOff / 4 + i] for i in [0, n): a run of floats from a segment into an array. */
    void copyRun(MemorySegment src, long byteOff, float[] dst, int d, int n);

    /**
     * One output row of a stride-1 depthwise convolution over a zero-padded plane: row[ox] = bias + sum over taps
     * (ky, kx in order) of fma(pad[base + ky*dh*padW + ox + kx*dw], wt[ky*kw + kx], acc), for ox in [0, owVec).
     */
    void depthwiseRow(float[] pad, int base, int padW, float[] wt, int kh, int kw, int dh, int dw, float bias,
                      float[] row, int owVec);

    /** acc[accOff + i] = fma(w, src[byteOff / 4 + i], acc[accOff + i]) for i in [0, n). */
    void fmaRun(float[] acc, int accOff, MemorySegment src, long byteOff, float w, int n);

    // ---- GEMM micro-kernel (bit-identical: one FMA chain per element in K order) ----

    /** Rows of the micro-tile (A sliver width). */
    int MR = 8;

    /** Columns of the micro-tile (B sliver width). */
    int nr();

    /**
     * C block at byte offset {@code cOff} (row stride {@code ldcBytes}) = (add ? C : 0) + A sliver x B sliver, each
     * element a chain of fma over p in [0, kc) from 0, added to C at the end; only the valid {@code mr} x {@code nr}
     * corner is written; {@code tile} is MR x nr() scratch.
     */
    void microKernel(float[] a, int aOff, float[] b, int bOff, int kc, MemorySegment c, long cOff, long ldcBytes,
                     int mr, int nr, boolean add, float[] tile);

    /** Whether {@link #microKernelPackedB} reads the segment in place (else it needs its sliver scratch). */
    default boolean readsPackedInPlace() {
        return false;
    }

    /** {@link #microKernel} with the B sliver read where a {@link PackedWeight} keeps it; {@code sliver}: nr() x kc. */
    default void microKernelPackedB(float[] a, int aOff, MemorySegment b, long bOff, int kc, MemorySegment c, long cOff,
                                    long ldcBytes, int mr, int nr, boolean add, float[] tile, float[] sliver) {
        MemorySegment.copy(b, java.lang.foreign.ValueLayout.JAVA_FLOAT, bOff, sliver, 0, nr() * kc);
        microKernel(a, aOff, sliver, 0, kc, c, cOff, ldcBytes, mr, nr, add, tile);
    }

    // ---- reductions (order depends on the lane count) ----

    /** Sum of seg[off, off + n) in a fixed order; scratch holds {@link #lanes()} floats. */
    double sum(MemorySegment seg, long off, long n, float[] scratch);

    /** Sum of (seg[i] - mean)^2 over [off, off + n) in a fixed order. */
    double sumSquaredDeviation(MemorySegment seg, long off, long n, float mean, float[] scratch);

    /**
     * One block of rows of an online softmax down the columns of a {@code rows} x {@code cols} block (row stride
     * {@code ld} floats, from float {@code off}); column j's state is max[at + j] and sums[at + j] (start: -inf and
     * 0). The maximum rises to the block's: max = max(max, x[.][j]); with c = scale * log2(e) (rounded to float),
     * rescale[at + j] = 2^(old max * c - max * c) (what the caller's accumulators of earlier blocks are multiplied by;
     * exactly 1 when the maximum did not rise); sums = sums * rescale, then + each x[p][j] = 2^(fma(x[p][j], c,
     * -(max * c))) in row order: e^((x - max) * scale) up to rounding, by {@link ScalarMath#exp2NonPositive}. scale > 0.
     */
    void expColumnsOnline(MemorySegment x, long off, int rows, int cols, int ld, float scale, float[] max, float[] sums,
                          float[] rescale, int at);

    /** c[r][j] *= f[j] for a {@code rows} x {@code cols} block (row stride {@code ld} floats) from float {@code off}. */
    void scaleColumns(MemorySegment c, long off, int rows, int cols, int ld, float[] f);

    /** dst[dOff, +n) = softmax(src[so, +n) * scale) for scale > 0; src and dst may be the same memory. */
    void softmaxRow(MemorySegment src, long so, MemorySegment dst, long dOff, int n, float scale, float[] scratch);
}
