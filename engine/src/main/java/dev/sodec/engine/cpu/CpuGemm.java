package dev.sodec.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Single-precision GEMM over row-major F32 segments: C[M,N] (+)= op(A)[M,K] * op(B)[K,N]. Offsets and leading
 * dimensions are in floats. Packed, cache-blocked and register-blocked (see {@link GemmDriver}); parallel over
 * blocks of C only, so results do not depend on the thread count.
 */
public final class CpuGemm {
    /** Runs on the caller only; used when an operand is confined to the calling thread. */
    private static final Parallel SERIAL = new Parallel(1);
    /** Never started: only asked whether a segment may be touched by a thread other than its owner. */
    private static final Thread OTHER_THREAD = new Thread(() -> {});

    private CpuGemm() {}

    /**
     * @param transA A is stored (K, M) when true, else (M, K)
     * @param transB B is stored (N, K) when true, else (K, N)
     * @param accumulate add into C instead of overwriting it
     */
    public static void sgemm(Parallel par, int m, int n, int k,
                             MemorySegment a, long aOff, int lda, boolean transA,
                             MemorySegment b, long bOff, int ldb, boolean transB,
                             MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        if (m == 0 || n == 0) return;
        if (k > 0) {
            requireMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
            requireMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        }
        requireMatrix("C", c, cOff, ldc, m, n);
        Panel pa = transA ? SegmentPanel.kMajor(a, aOff, lda) : SegmentPanel.rowMajor(a, aOff, lda);
        Panel pb = transB ? SegmentPanel.rowMajor(b, bOff, ldb) : SegmentPanel.kMajor(b, bOff, ldb);
        GemmDriver.run(k == 0 ? usable(par, c) : usable(par, a, b, c), m, n, k, pa, pb, c, cOff, ldc, accumulate);
    }

    /**
     * {@code par}, or a caller-only Parallel when a segment is confined to the calling thread (pool threads
     * could not read it). Results are the same bits either way.
     */
    static Parallel usable(Parallel par, MemorySegment... segs) {
        for (MemorySegment s : segs) {
            if (s != null && !s.isAccessibleBy(OTHER_THREAD)) return SERIAL;
        }
        return par;
    }

    /** Checks that a rows x cols matrix with leading dimension ld fits in the segment (sizes in floats). */
    static void requireMatrix(String name, MemorySegment s, long off, int ld, int rows, int cols) {
        if (off < 0 || ld < cols || ld < 1) {
            throw new IllegalArgumentException("sgemm: " + name + " offset " + off + " / leading dimension " + ld
                    + " invalid for " + rows + "x" + cols);
        }
        long last = off + (long) (rows - 1) * ld + cols; // one past the last element, in floats
        if (last * 4 > s.byteSize()) {
            throw new IllegalArgumentException("sgemm: " + name + " " + rows + "x" + cols + " (offset " + off + ", ld " + ld
                    + ") needs " + last * 4 + " bytes but the segment has " + s.byteSize());
        }
    }
}
