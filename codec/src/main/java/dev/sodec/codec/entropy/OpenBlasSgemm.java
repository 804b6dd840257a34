package dev.sodec.codec.entropy;

/**
 * The summation order of OpenBLAS 0.3.21's single-threaded {@code sgemm_("N", "N", m, n, k, 1, A, m, B, k, 0, C, m)}
 * with the Haswell/Zen kernel ({@code sgemm_kernel_8x4_haswell_2.c}, GEMM_P = 320 as for Zen), the BLAS that
 * torch 1.13 calls on Debian 12 for a bmm too large for its own loop. Every {@code C[i][j]} is a chain of fused
 * multiply-adds over {@code l = 0..k-1} starting from zero, except where the kernel splits it over two accumulators
 * (even and odd {@code l} of each group of 8, the remainder on the first, the two added at the end): in 8-row
 * panels of its 4-column calls and in the first and last panel of one half of its 12-column calls, when
 * {@code k >= 8}. Which calls cover which rows and columns follows the level-3 driver's blocking: the first
 * GEMM_P-row block is computed in column pieces of 12 or 4, later blocks with all columns at once.
 *
 * <p>OpenBLAS runs several threads when {@code m * n * k > 65536 * 4}; the split then depends on the machine, so
 * {@link #reproducible} says whether this model applies.
 */
final class OpenBlasSgemm {
    private OpenBlasSgemm() {}

    private static final int GEMM_P = 320, UNROLL_M = 8, UNROLL_N = 4;
    /** SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD: at most this many multiply-adds run on one thread. */
    static final double SINGLE_THREAD_MNK = 65536.0 * 4;

    /**
     * Whether C does not depend on OpenBLAS's thread count: one thread, or no split accumulators however the work is
     * divided (they need k >= 8 and a kernel call of 4 or more columns).
     */
    static boolean reproducible(int m, int n, int k) {
        return k < 8 || n < UNROLL_N || (double) m * n * k <= SINGLE_THREAD_MNK;
    }

    /** {@code split[j * m + i]}: whether C[i][j] is summed over two accumulators; null when none is. */
    static boolean[] splitAccumulators(int m, int n, int k) {
        if (k < 8) return null;
        boolean[] split = new boolean[m * n];
        int first = blockRows(m);
        for (int jjs = 0; jjs < n; ) {
            int jj = n - jjs;
            if (jj >= 3 * UNROLL_N) jj = 3 * UNROLL_N;
            else if (jj > UNROLL_N) jj = UNROLL_N;
            kernel(split, m, 0, first, jjs, jj);
            jjs += jj;
        }
        for (int is = first; is < m; ) {
            int mi = blockRows(m - is);
            kernel(split, m, is, mi, 0, n);
            is += mi;
        }
        return split;
    }

    /** The rows of the next GEMM_P block from {@code remaining} rows. */
    private static int blockRows(int remaining) {
        if (remaining >= 2 * GEMM_P) return GEMM_P;
        if (remaining > GEMM_P) return (remaining / 2 + UNROLL_M - 1) / UNROLL_M * UNROLL_M;
        return remaining;
    }

    /** One call of the kernel on rows [r0, r0 + rows) and columns [c0, c0 + cols): marks its split elements. */
    private static void kernel(boolean[] split, int m, int r0, int rows, int c0, int cols) {
        int c = c0, left = cols;
        for (; left > 11; left -= 12, c += 12) {
            if (rows < 16) continue; // 8/4/2/1-row pieces: single chains
            int panels = rows / 8, last = panels - 1;
            mark(split, m, r0, c, 6);                      // head: first panel, left half
            int side = (panels - 2) % 2 == 0 ? c : c + 6;  // tail: last panel, the half its 16-row pass left out
            mark(split, m, r0 + 8 * last, side, 6);
        }
        // at most 11 columns are left: an 8-column piece (single chains), then a 4-column one, then 2 and 1
        if (left > 7) {
            left -= 8;
            c += 8;
        }
        if (left > 3) {
            for (int p = 0; p + 8 <= rows; p += 8) mark(split, m, r0 + p, c, 4);
        }
    }

    private static void mark(boolean[] split, int m, int row, int col, int width) {
        for (int j = col; j < col + width; j++) {
            for (int i = row; i < row + 8; i++) split[j * m + i] = true;
        }
    }
}
