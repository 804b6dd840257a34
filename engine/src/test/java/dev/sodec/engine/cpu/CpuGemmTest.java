package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CpuGemmTest {
    private static final Parallel ONE = new Parallel(1);
    private static final Parallel THREE = new Parallel(3);

    @AfterAll
    static void close() {
        ONE.close();
        THREE.close();
    }

    /** A row-major matrix with padding columns (ld > width) and a leading offset, filled with noise. */
    private record Mat(MemorySegment seg, long off, int ld, int rows, int cols) {
        static Mat random(SplittableRandom rnd, int rows, int cols, int pad, long off) {
            int ld = cols + pad;
            long floats = off + (long) rows * ld + 3;
            MemorySegment s = Arena.ofAuto().allocate(Math.max(floats, 1) * 4);
            for (long i = 0; i < floats; i++) s.setAtIndex(F32_LE, i, (float) (rnd.nextDouble() * 2 - 1));
            return new Mat(s, off, ld, rows, cols);
        }

        float get(int r, int c) { return seg.getAtIndex(F32_LE, off + (long) r * ld + c); }

        MemorySegment copy() {
            MemorySegment s = Arena.ofAuto().allocate(seg.byteSize());
            s.copyFrom(seg);
            return s;
        }
    }

    /** C (+)= op(A) op(B) accumulated in double, element by element. */
    private static double[] reference(int m, int n, int k, Mat a, boolean ta, Mat b, boolean tb, Mat c, boolean acc) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? c.get(i, j) : 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a.get(p, i) : a.get(i, p);
                    double bv = tb ? b.get(j, p) : b.get(p, j);
                    s += av * bv;
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    private static void check(SplittableRandom rnd, int m, int n, int k, boolean ta, boolean tb, boolean acc, int pad, long off) {
        Mat a = ta ? Mat.random(rnd, k, m, pad, off) : Mat.random(rnd, m, k, pad, off);
        Mat b = tb ? Mat.random(rnd, n, k, pad + 1, off + 5) : Mat.random(rnd, k, n, pad + 1, off + 5);
        Mat c = Mat.random(rnd, m, n, pad + 2, off + 1);
        double[] want = reference(m, n, k, a, ta, b, tb, c, acc);
        MemorySegment c1 = c.copy(), c3 = c.copy();
        CpuGemm.sgemm(ONE, m, n, k, a.seg, a.off, a.ld, ta, b.seg, b.off, b.ld, tb, c1, c.off, c.ld, acc);
        CpuGemm.sgemm(THREE, m, n, k, a.seg, a.off, a.ld, ta, b.seg, b.off, b.ld, tb, c3, c.off, c.ld, acc);
        String what = m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc;
        // Bit-identical for 1 and 3 threads, including the padding columns and everything outside C (untouched).
        assertTrue(c1.mismatch(c3) == -1, "thread count changed the result: " + what);
        for (long i = 0; i < c.seg.byteSize() / 4; i++) {
            long rel = i - c.off;
            boolean inside = rel >= 0 && rel / c.ld < m && rel % c.ld < n;
            if (!inside) assertEquals(c.seg.getAtIndex(F32_LE, i), c1.getAtIndex(F32_LE, i), "wrote outside C at " + i + ": " + what);
        }
        double tol = 1e-5 * Math.sqrt(Math.max(k, 1)) * 4;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double got = c1.getAtIndex(F32_LE, c.off + (long) i * c.ld + j);
                assertEquals(want[i * n + j], got, tol, "C[" + i + "," + j + "] " + what);
            }
        }
    }

    @Test
    void oddSizesAllTransposes() {
        SplittableRandom rnd = new SplittableRandom(1);
        int[][] sizes = {{1, 1, 1}, {7, 5, 3}, {1, 33, 7}, {33, 1, 17}, {9, 17, 1}, {33, 33, 33}, {17, 31, 257}, {8, 32, 16}};
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                check(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, false, 0, 0);
            }
        }
    }

    @Test
    void accumulatePaddedLeadingDimensionsAndOffsets() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int t = 0; t < 4; t++) {
            check(rnd, 13, 37, 29, (t & 1) != 0, (t & 2) != 0, true, 3, 11);
            check(rnd, 13, 37, 29, (t & 1) != 0, (t & 2) != 0, false, 3, 11);
        }
    }

    @Test
    void sizesCrossingEveryBlockBoundary() {
        SplittableRandom rnd = new SplittableRandom(3);
        // M past MC, N past NC, K past KC (two K blocks: the second adds into C).
        check(rnd, GemmDriver.MC + 9, GemmDriver.NC + 7, GemmDriver.KC + 1, false, false, false, 1, 2);
        check(rnd, GemmDriver.MC + 9, GemmDriver.NC + 7, GemmDriver.KC + 1, true, true, true, 0, 0);
        check(rnd, 257, 65, 257, false, true, false, 0, 0);
        // Short and wide with two K blocks: A is packed once and kept across column blocks.
        check(rnd, 13, GemmDriver.NB + 52, GemmDriver.KC + 88, false, false, false, 0, 3);
        check(rnd, 13, GemmDriver.NB + 52, GemmDriver.KC + 88, true, true, true, 2, 0);
    }

    @Test
    void largeMAndNCrossOuterBlocks() {
        SplittableRandom rnd = new SplittableRandom(4);
        // Beyond MB rows and NB columns with a small K keeps the reference cheap.
        check(rnd, GemmDriver.MB + 3, 5, 3, false, false, true, 0, 0);
        check(rnd, 3, GemmDriver.NB + 5, 3, true, false, false, 0, 0);
    }

    @Test
    void zeroKClearsOrKeepsC() {
        Mat c = Mat.random(new SplittableRandom(5), 3, 4, 1, 0);
        MemorySegment keep = c.copy(), clear = c.copy();
        MemorySegment empty = Arena.ofAuto().allocate(4);
        CpuGemm.sgemm(ONE, 3, 4, 0, empty, 0, 1, false, empty, 0, 4, false, keep, 0, c.ld, true);
        CpuGemm.sgemm(ONE, 3, 4, 0, empty, 0, 1, false, empty, 0, 4, false, clear, 0, c.ld, false);
        assertEquals(-1, keep.mismatch(c.seg));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) assertEquals(0f, clear.getAtIndex(F32_LE, (long) i * c.ld + j));
            assertEquals(c.get(i, 4), clear.getAtIndex(F32_LE, (long) i * c.ld + 4)); // padding column untouched
        }
    }

    @Test
    void rejectsOperandsThatDoNotFit() {
        MemorySegment small = Arena.ofAuto().allocate(4 * 10);
        MemorySegment big = Arena.ofAuto().allocate(4 * 1000);
        var e = assertThrows(IllegalArgumentException.class,
                () -> CpuGemm.sgemm(ONE, 4, 4, 4, small, 0, 4, false, big, 0, 4, false, big, 0, 4, false));
        assertTrue(e.getMessage().contains("A"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CpuGemm.sgemm(ONE, 4, 4, 4, big, 0, 3, false, big, 0, 4, false, big, 0, 4, false));
        assertThrows(IllegalArgumentException.class,
                () -> CpuGemm.sgemm(ONE, 4, 4, 4, big, 0, 4, false, big, 0, 4, false, small, 0, 4, false));
        assertThrows(IllegalArgumentException.class,
                () -> CpuGemm.sgemm(ONE, -1, 4, 4, big, 0, 4, false, big, 0, 4, false, big, 0, 4, false));
    }

    @Test
    void exactOnSmallIntegers() {
        // Small integers multiply and add exactly in float, so any correct order gives the exact answer.
        int m = 19, n = 35, k = 300;
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (i * 7 % 5) - 2;
        for (int i = 0; i < b.length; i++) b[i] = (i * 3 % 7) - 3;
        MemorySegment as = Arena.ofAuto().allocate(a.length * 4L), bs = Arena.ofAuto().allocate(b.length * 4L);
        MemorySegment cs = Arena.ofAuto().allocate((long) m * n * 4);
        MemorySegment.copy(a, 0, as, F32_LE, 0, a.length);
        MemorySegment.copy(b, 0, bs, F32_LE, 0, b.length);
        CpuGemm.sgemm(THREE, m, n, k, as, 0, k, false, bs, 0, n, false, cs, 0, n, false);
        float[] got = cs.toArray(F32_LE), want = new float[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
            int s = 0;
            for (int p = 0; p < k; p++) s += (int) a[i * k + p] * (int) b[p * n + j];
            want[i * n + j] = s;
        }
        assertArrayEquals(want, got);
    }

    @Test
    void nestedCallsFromParallelBodiesDoNotShareBuffers() {
        // Batched GEMMs issued from inside a parallel body on the same pool: a worker that steals another
        // batch item while joining must not reuse the packed buffers of the GEMM it is part of.
        SplittableRandom rnd = new SplittableRandom(6);
        int batch = 12, m = 40, n = 70, k = 400; // above PARALLEL_TILES_MIN: the inner GEMMs use the pool
        Mat[] as = new Mat[batch], bs = new Mat[batch];
        for (int i = 0; i < batch; i++) {
            as[i] = Mat.random(rnd, m, k, 0, 0);
            bs[i] = Mat.random(rnd, k, n, 0, 0);
        }
        MemorySegment serial = Arena.ofAuto().allocate((long) batch * m * n * 4);
        MemorySegment nested = Arena.ofAuto().allocate((long) batch * m * n * 4);
        for (int i = 0; i < batch; i++) {
            CpuGemm.sgemm(ONE, m, n, k, as[i].seg, 0, k, false, bs[i].seg, 0, n, false, serial, (long) i * m * n, n, false);
        }
        THREE.forRange(batch, 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                CpuGemm.sgemm(THREE, m, n, k, as[i].seg, 0, k, false, bs[i].seg, 0, n, false, nested, (long) i * m * n, n, false);
            }
        });
        assertEquals(-1, serial.mismatch(nested));
    }

    @Test
    void reentrantCallOnTheSameThreadGetsItsOwnBuffers() {
        // A panel source that itself runs a GEMM while the outer one is packing: the deterministic form of a
        // pool thread starting a second GEMM while it is inside the first.
        SplittableRandom rnd = new SplittableRandom(7);
        int m = 70, n = 90, k = 80; // larger than the inner GEMM, so a shared buffer would be reused, not regrown
        Mat a = Mat.random(rnd, m, k, 0, 0), b = Mat.random(rnd, k, n, 0, 0);
        MemorySegment scratch = Arena.ofAuto().allocate(16L * 16 * 4);
        Panel plainB = SegmentPanel.kMajor(b.seg, 0, n);
        Panel meddlingB = (dst, off, width, r0, rows, p0, kc) -> {
            plainB.pack(dst, off, width, r0, rows, p0, kc);
            Mat x = Mat.random(new SplittableRandom(r0), 16, 16, 0, 0);
            GemmDriver.run(ONE, 16, 16, 16, SegmentPanel.rowMajor(x.seg, 0, 16), SegmentPanel.kMajor(x.seg, 0, 16),
                    scratch, 0, 16, false);
        };
        MemorySegment want = Arena.ofAuto().allocate((long) m * n * 4), got = Arena.ofAuto().allocate((long) m * n * 4);
        GemmDriver.run(ONE, m, n, k, SegmentPanel.rowMajor(a.seg, 0, k), plainB, want, 0, n, false);
        GemmDriver.run(ONE, m, n, k, SegmentPanel.rowMajor(a.seg, 0, k), meddlingB, got, 0, n, false);
        assertEquals(-1, want.mismatch(got));
    }

    @Test
    void confinedSegmentsWorkWithAThreadPool() {
        int m = 100, n = 120, k = 130; // large enough that the pool would be used
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment a = confined.allocate((long) m * k * 4), b = confined.allocate((long) k * n * 4);
            MemorySegment c = confined.allocate((long) m * n * 4);
            for (int i = 0; i < m * k; i++) a.setAtIndex(F32_LE, i, i % 3);
            for (int i = 0; i < k * n; i++) b.setAtIndex(F32_LE, i, i % 5);
            CpuGemm.sgemm(THREE, m, n, k, a, 0, k, false, b, 0, n, false, c, 0, n, false);
            for (int i = 0; i < m; i += 7) {
                for (int j = 0; j < n; j += 5) {
                    long s = 0;
                    for (int p = 0; p < k; p++) s += (long) ((i * k + p) % 3) * ((p * n + j) % 5);
                    assertEquals((float) s, c.getAtIndex(F32_LE, (long) i * n + j));
                }
            }
        }
    }
}
