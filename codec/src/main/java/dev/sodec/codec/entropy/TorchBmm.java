package dev.sodec.codec.entropy;

/**
 * One batch of torch 1.13's CPU {@code bmm} in float32 as Debian 12's build computes it: {@code out = w @ x} with
 * w (rows x inner) and x (inner x cols), both contiguous.
 *
 * <p>Below 400 multiply-adds ({@code inner * rows * cols < 400}) torch runs its own loop
 * ({@code baddbmm_cpu_kernel}): {@code acc = 0; acc += w[i][l] * x[l][j]} for l in order, each product and sum
 * rounded (no FMA: that file is compiled for baseline x86-64). Otherwise it calls BLAS {@code sgemm} (OpenBLAS) on
 * the transposed problem (m = cols, n = rows, k = inner): fused multiply-adds in the order of
 * {@link OpenBlasSgemm}.
 */
final class TorchBmm {
    private TorchBmm() {}

    /** Whether the result does not depend on how many threads OpenBLAS uses on the reference machine. */
    static boolean reproducible(int rows, int inner, int cols) {
        return naive(rows, inner, cols) || OpenBlasSgemm.reproducible(cols, rows, inner);
    }

    /** out[i * cols + j] = sum_l w[wOff + i * inner + l] * x[l * cols + j]. */
    static void multiply(float[] w, int wOff, int rows, int inner, float[] x, int cols, float[] out) {
        if (naive(rows, inner, cols)) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    float acc = 0f;
                    for (int l = 0; l < inner; l++) acc += w[wOff + i * inner + l] * x[l * cols + j];
                    out[i * cols + j] = acc;
                }
            }
            return;
        }
        boolean[] split = OpenBlasSgemm.splitAccumulators(cols, rows, inner);
        for (int i = 0; i < rows; i++) {
            int wRow = wOff + i * inner;
            for (int j = 0; j < cols; j++) {
                float acc;
                if (split != null && split[i * cols + j]) {
                    float even = 0f, odd = 0f;
                    int l = 0;
                    for (; l + 8 <= inner; l += 8) {
                        for (int t = l; t < l + 8; t += 2) {
                            even = Math.fma(w[wRow + t], x[t * cols + j], even);
                            odd = Math.fma(w[wRow + t + 1], x[(t + 1) * cols + j], odd);
                        }
                    }
                    for (; l < inner; l++) even = Math.fma(w[wRow + l], x[l * cols + j], even);
                    acc = odd + even;
                } else {
                    acc = 0f;
                    for (int l = 0; l < inner; l++) acc = Math.fma(w[wRow + l], x[l * cols + j], acc);
                }
                out[i * cols + j] = acc;
            }
        }
    }

    private static boolean naive(int rows, int inner, int cols) {
        return (long) inner * rows * cols < 400;
    }
}
