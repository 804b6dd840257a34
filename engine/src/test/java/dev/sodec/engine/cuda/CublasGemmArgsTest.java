package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The row-major to column-major mapping JCudaDevice hands cuBLAS, checked without a GPU: the arguments are fed to a
 * reference strided-batched GEMM written from the BLAS definition (column-major, element (r, c) at r + c * ld,
 * op(X) = X or X^T) over the same raw memory, and the result compared with a naive row-major product.
 */
class CublasGemmArgsTest {

    /** cublas<t>gemmStridedBatched semantics with alpha 1, beta 0. */
    private static void referenceColumnMajor(boolean transX, boolean transY, int m, int n, int k, float[] x, int ldx, long strideX,
                                             float[] y, int ldy, long strideY, float[] c, int ldc, long strideC, int batch) {
        // BLAS argument rules cuBLAS enforces
        assertTrue(ldx >= Math.max(1, transX ? k : m), "ld of the first operand");
        assertTrue(ldy >= Math.max(1, transY ? n : k), "ld of the second operand");
        assertTrue(ldc >= Math.max(1, m), "ldc");
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        float xv = transX ? x[(int) (b * strideX + l + (long) i * ldx)] : x[(int) (b * strideX + i + (long) l * ldx)];
                        float yv = transY ? y[(int) (b * strideY + j + (long) l * ldy)] : y[(int) (b * strideY + l + (long) j * ldy)];
                        s += (double) xv * yv;
                    }
                    c[(int) (b * strideC + i + (long) j * ldc)] = (float) s;
                }
            }
        }
    }

    @Test
    void mappingComputesTheRowMajorProduct() {
        SplittableRandom r = new SplittableRandom(7);
        int[][] sizes = {{5, 7, 3}, {1, 9, 4}, {8, 1, 6}, {6, 5, 1}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (int batch : new int[] {1, 3}) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        for (boolean shareB : new boolean[] {false, true}) {
                            long strideA = (long) m * k, strideB = shareB ? 0 : (long) k * n;
                            float[] a = new float[batch * m * k], b = new float[batch * k * n];
                            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
                            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
                            CublasGemmArgs g = CublasGemmArgs.of(m, n, k, strideA, ta, strideB, tb);
                            float[] c = new float[batch * m * n];
                            referenceColumnMajor(g.transFirst(), g.transSecond(), g.rows(), g.cols(), g.depth(), b, g.ldFirst(),
                                    g.strideFirst(), a, g.ldSecond(), g.strideSecond(), c, g.ldc(), g.strideC(), batch);
                            for (int bi = 0; bi < batch; bi++) {
                                for (int i = 0; i < m; i++) {
                                    for (int j = 0; j < n; j++) {
                                        double e = 0;
                                        for (int l = 0; l < k; l++) {
                                            float av = ta ? a[bi * m * k + l * m + i] : a[bi * m * k + i * k + l];
                                            int bb = (int) (bi * strideB);
                                            float bv = tb ? b[bb + j * k + l] : b[bb + l * n + j];
                                            e += (double) av * bv;
                                        }
                                        assertEquals(e, c[bi * m * n + i * n + j], 1e-5,
                                                "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " batch " + bi);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
