package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import java.lang.foreign.MemorySegment;

/**
 * Single-precision GEMM over row-major F32 segments: C[M,N] (+)= op(A)[M,K] * op(B)[K,N]. Offsets and leading
 * dimensions are in floats. Parallel over blocks of C only, so results do not depend on the thread count.
 */
public final class CpuGemm {
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
        // Reference implementation; replaced by the packed, blocked kernel.
        par.forRange(m, 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a.getAtIndex(F32_LE, aOff + (long) p * lda + i) : a.getAtIndex(F32_LE, aOff + (long) i * lda + p);
                        float bv = transB ? b.getAtIndex(F32_LE, bOff + (long) j * ldb + p) : b.getAtIndex(F32_LE, bOff + (long) p * ldb + j);
                        s += av * bv;
                    }
                    long ci = cOff + (long) i * ldc + j;
                    c.setAtIndex(F32_LE, ci, accumulate ? c.getAtIndex(F32_LE, ci) + s : s);
                }
            }
        });
    }
}
