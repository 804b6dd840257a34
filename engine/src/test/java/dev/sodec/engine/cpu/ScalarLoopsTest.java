package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scalar fallback against the Vector API loops, both run here (this JVM has the module): every element-wise loop
 * and the GEMM micro-kernel must give the same bits, the reductions the same value to float accuracy. Lengths are
 * chosen to leave partial vectors (tails) for every lane count.
 */
class ScalarLoopsTest {
    private static final CpuLoops VEC = new VectorLoops(), SCA = new ScalarLoops();
    private static final int N = 3 * 64 + 13;

    /** Normal values, then the edges every function must treat alike: signed zeros, infinities, NaN, exp's clamps. */
    private static float[] inputs(long seed) {
        Random r = new Random(seed);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 20 : 2));
        float[] edges = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -104f, -104.5f, 89f,
                89.5f, -87.5f, 1e-40f, -1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE, 9.5f, -9.5f};
        System.arraycopy(edges, 0, x, 0, edges.length);
        return x;
    }

    private static MemorySegment seg(float[] v) {
        return Tensor.fromFloats(v, v.length).data();
    }

    private static int[] bits(MemorySegment s) {
        float[] f = s.toArray(Tensor.F32_LE);
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToIntBits(f[i]); // every NaN alike: the sign of a NaN is not specified
        return b;
    }

    /** Runs the same loop on both implementations over copies of {@code out} and compares bits. */
    private static void sameBits(String what, float[] out, LoopCall call) {
        MemorySegment v = seg(out.clone()), s = seg(out.clone());
        call.run(VEC, v);
        call.run(SCA, s);
        assertArrayEquals(bits(v), bits(s), what);
    }

    private interface LoopCall {
        void run(CpuLoops loops, MemorySegment out);
    }

    @Test
    void activationsAreBitIdentical() {
        MemorySegment x = seg(inputs(1));
        Act[] acts = {Act.SILU, Act.GELU_ERF, Act.GELU_TANH, Act.QUICK_GELU, Act.leakyRelu(0.2f), Act.scale(0.3f, -1.5f),
                Act.clamp(-1f, 1f), Act.ABS};
        for (Act act : acts) {
            sameBits(act.toString(), new float[N + 7], (l, y) -> l.activation(act, x, 0, y, 5, 1, N));
        }
    }

    @Test
    void elementWiseLoopsAreBitIdentical() {
        float[] a = inputs(2), b = inputs(3);
        MemorySegment as = seg(a), bs = seg(b);
        sameBits("add", new float[N], (l, y) -> l.binary(as, bs, y, 3, N, false));
        sameBits("mul", new float[N], (l, y) -> l.binary(as, bs, y, 0, N - 2, true));
        sameBits("addScalar", new float[N], (l, y) -> l.addScalar(as, y, 2, N - 9, 0.37f));
        sameBits("fill", new float[N], (l, y) -> l.fill(y, 1, N - 4, -2.5f));
        sameBits("addInPlace", a, (l, y) -> l.addInPlace(y, 4, bs, 1, N - 6));
        sameBits("geglu", new float[N], (l, y) -> l.geglu(as, 1, y, 0, (N - 1) / 2));
        sameBits("affine", new float[N], (l, y) -> l.affine(as, y, 3, N - 3, 0.7f, -0.2f, false));
        sameBits("affine+silu", new float[N], (l, y) -> l.affine(as, y, 3, N - 3, 0.7f, -0.2f, true));
        MemorySegment w = seg(inputs(4)), bias = seg(inputs(5));
        sameBits("normalizeRow", new float[N], (l, y) -> l.normalizeRow(as, y, w, bias, 2, N - 2, 0.3f, 1.7f));
        sameBits("normalizeRow no affine", new float[N], (l, y) -> l.normalizeRow(as, y, null, null, 2, N - 2, 0.3f, 1.7f));
        float[] pos = new float[N];
        for (int i = 0; i < N; i++) pos[i] = Math.abs(b[i]) + 0.5f;
        MemorySegment norm = seg(pos);
        for (boolean inverse : new boolean[] {false, true}) {
            sameBits("gdnApply " + inverse, new float[N], (l, y) -> l.gdnApply(as, norm, y, 0, 0, N, inverse));
        }
        sameBits("gdnSquares", new float[2 * N], (l, y) -> l.gdnSquares(as, 1, y, y.asSlice((long) N * 4), 0, N - 1, 0.25f));
    }

    @Test
    void copiesAndDepthwiseRowsAreBitIdentical() {
        float[] a = inputs(6);
        MemorySegment as = seg(a);
        float[] v = new float[N + 3], s = new float[N + 3];
        VEC.copyRun(as, 8, v, 3, N - 2);
        SCA.copyRun(as, 8, s, 3, N - 2);
        assertArrayEquals(v, s);
        assertEquals(a[2], s[3]);
        // a 3x3 dilated stride-1 depthwise row over a padded plane of 40 columns
        Random r = new Random(7);
        float[] pad = new float[40 * 12], wt = new float[9];
        for (int i = 0; i < pad.length; i++) pad[i] = (float) r.nextGaussian();
        for (int i = 0; i < wt.length; i++) wt[i] = (float) r.nextGaussian();
        int owVec = 32;
        float[] rv = new float[owVec], rs = new float[owVec];
        VEC.depthwiseRow(pad, 40, 40, wt, 3, 3, 2, 2, 0.1f, rv, owVec);
        SCA.depthwiseRow(pad, 40, 40, wt, 3, 3, 2, 2, 0.1f, rs, owVec);
        assertArrayEquals(rv, rs);
        // fmaRun: a vector body and a scalar tail against the scalar loop
        float[] fv = inputs(9), fs = fv.clone();
        VEC.fmaRun(fv, 2, as, 12, -0.37f, N - 5);
        SCA.fmaRun(fs, 2, as, 12, -0.37f, N - 5);
        assertArrayEquals(fs, fv);
        assertEquals(Math.fma(-0.37f, a[3], inputs(9)[2]), fs[2]);
        // expColumnsOnline: 37 rows x 21 columns (full vectors, then single columns), row stride 24, from float 5,
        // as two blocks of rows (20, then 17 whose values are larger, so the maxima rise); the state from index 3
        float[] block = new float[5 + 37 * 24];
        Random br = new Random(11);
        for (int i = 0; i < block.length; i++) block[i] = (float) (3 * br.nextGaussian() + (i >= 5 + 20 * 24 ? 2 : 0));
        MemorySegment xv = seg(block), xs = seg(block.clone());
        float[] mv = new float[24], sv = new float[24], rv2 = new float[24];
        float[] ms = new float[24], ss = new float[24], rs2 = new float[24];
        java.util.Arrays.fill(mv, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(ms, Float.NEGATIVE_INFINITY);
        VEC.expColumnsOnline(xv, 5, 20, 21, 24, 0.7f, mv, sv, rv2, 3);
        SCA.expColumnsOnline(xs, 5, 20, 21, 24, 0.7f, ms, ss, rs2, 3);
        assertArrayEquals(rs2, rv2);
        assertEquals(0f, rs2[3 + 4], "the first block rescales nothing that came before");
        VEC.expColumnsOnline(xv, 5 + 20 * 24, 17, 21, 24, 0.7f, mv, sv, rv2, 3);
        SCA.expColumnsOnline(xs, 5 + 20 * 24, 17, 21, 24, 0.7f, ms, ss, rs2, 3);
        assertArrayEquals(xs.toArray(dev.sodec.engine.tensor.Tensor.F32_LE), xv.toArray(dev.sodec.engine.tensor.Tensor.F32_LE));
        assertArrayEquals(ms, mv);
        assertArrayEquals(ss, sv);
        assertArrayEquals(rs2, rv2);
        for (int j = 0; j < 21; j++) {
            // the state after both blocks is the whole column's softmax state
            double m = Double.NEGATIVE_INFINITY, m1 = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p = 0; p < 37; p++) m = Math.max(m, block[5 + p * 24 + j]);
            for (int p = 0; p < 20; p++) m1 = Math.max(m1, block[5 + p * 24 + j]);
            for (int p = 0; p < 37; p++) sum += Math.exp((block[5 + p * 24 + j] - m) * 0.7);
            assertEquals((float) m, ms[3 + j]);
            assertEquals(Math.exp((m1 - m) * 0.7), rs2[3 + j], 1e-6);
            // the first block's values were scaled to its own maximum; the caller rescales them by rs2
            assertEquals(sum, ss[3 + j], 1e-5 * sum);
        }
        // scaleColumns: 5 rows x 21 columns, row stride 24
        float[] cb = inputs(3);
        MemorySegment cv = seg(java.util.Arrays.copyOf(cb, 5 + 5 * 24)), cs = seg(java.util.Arrays.copyOf(cb, 5 + 5 * 24));
        float[] f = java.util.Arrays.copyOfRange(rs2, 3, 24);
        VEC.scaleColumns(cv, 5, 5, 21, 24, f);
        SCA.scaleColumns(cs, 5, 5, 21, 24, f);
        assertArrayEquals(cs.toArray(dev.sodec.engine.tensor.Tensor.F32_LE), cv.toArray(dev.sodec.engine.tensor.Tensor.F32_LE));
        assertEquals(cb[5 + 24 + 7] * f[7], cs.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 5 + 24 + 7));
        assertEquals(cb[5 + 22], cs.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 5 + 22), "past the columns");
    }

    @Test
    void gemmThroughEitherMicroKernelIsBitIdentical() {
        // The micro-tile widths differ (NR = 2 lanes), so run whole GEMMs: every C element is one FMA chain in K
        // order per K block whatever the tile shape. K spans two K blocks so the add into C is exercised too; the
        // first block either adds to C or overwrites it (as the drivers' first block does), and B is read from an
        // array or in place from a native segment; full and partial tiles both occur.
        Random r = new Random(8);
        int m = 37, n = 53, k = GemmDriver.KC + 61;
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        for (int i = 0; i < c0.length; i++) c0[i] = (float) r.nextGaussian();
        for (boolean addFirst : new boolean[] {true, false}) {
            float[] ref = reference(a, b, addFirst ? c0 : new float[m * n], m, n, k);
            for (boolean segmentB : new boolean[] {false, true}) {
                for (CpuLoops loops : new CpuLoops[] {VEC, SCA}) {
                    float[] c = gemm(loops, a, b, c0, m, n, k, addFirst, segmentB);
                    assertArrayEquals(ref, c, loops.describe() + ", add first " + addFirst + ", B in a segment " + segmentB);
                }
            }
        }
    }

    /** C += A B through the micro-kernel of {@code loops}, packed as the GEMM driver packs (K blocks of KC). */
    private static float[] gemm(CpuLoops loops, float[] a, float[] b, float[] c0, int m, int n, int k, boolean addFirst,
                                boolean segmentB) {
        int mr = CpuLoops.MR, nr = loops.nr();
        MemorySegment c = seg(c0.clone());
        float[] tile = new float[mr * nr];
        for (int p0 = 0; p0 < k; p0 += GemmDriver.KC) {
            int kc = Math.min(GemmDriver.KC, k - p0);
            for (int i0 = 0; i0 < m; i0 += mr) {
                for (int j0 = 0; j0 < n; j0 += nr) {
                    float[] pa = new float[mr * kc], pb = new float[nr * kc];
                    for (int p = 0; p < kc; p++) {
                        for (int i = 0; i < mr && i0 + i < m; i++) pa[p * mr + i] = a[(i0 + i) * k + p0 + p];
                        for (int j = 0; j < nr && j0 + j < n; j++) pb[p * nr + j] = b[(p0 + p) * n + j0 + j];
                    }
                    long cOff = ((long) i0 * n + j0) * 4;
                    int mv = Math.min(mr, m - i0), nv = Math.min(nr, n - j0);
                    boolean add = addFirst || p0 > 0;
                    if (segmentB) {
                        MemorySegment sb = java.lang.foreign.Arena.ofAuto().allocate(4L + pb.length * 4L, 64);
                        MemorySegment.copy(pb, 0, sb, Tensor.F32_LE, 4, pb.length);
                        loops.microKernelPackedB(pa, 0, sb, 4, kc, c, cOff, (long) n * 4, mv, nv, add, tile,
                                new float[nr * kc]);
                    } else {
                        loops.microKernel(pa, 0, pb, 0, kc, c, cOff, (long) n * 4, mv, nv, add, tile);
                    }
                }
            }
        }
        return c.toArray(Tensor.F32_LE);
    }

    /** The definition: per element and K block, acc = fma(a, b, acc) from 0 in K order, then c = c + acc. */
    private static float[] reference(float[] a, float[] b, float[] c0, int m, int n, int k) {
        float[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int p0 = 0; p0 < k; p0 += GemmDriver.KC) {
                    float acc = 0f;
                    for (int p = p0; p < Math.min(k, p0 + GemmDriver.KC); p++) acc = Math.fma(a[i * k + p], b[p * n + j], acc);
                    c[i * n + j] = c[i * n + j] + acc;
                }
            }
        }
        return c;
    }

    @Test
    void reductionsAgreeToFloatAccuracy() {
        Random r = new Random(9);
        float[] x = new float[5000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3 + 1);
        MemorySegment xs = seg(x);
        float[] scratchV = new float[VEC.lanes()], scratchS = new float[SCA.lanes()];
        double exact = 0;
        for (float v : x) exact += v;
        assertEquals(exact, VEC.sum(xs, 0, x.length, scratchV), 1e-6 * Math.abs(exact) + 1e-3);
        assertEquals(exact, SCA.sum(xs, 0, x.length, scratchS), 1e-9 * Math.abs(exact));
        float mean = (float) (exact / x.length);
        double ssd = VEC.sumSquaredDeviation(xs, 0, x.length, mean, scratchV);
        assertEquals(ssd, SCA.sumSquaredDeviation(xs, 0, x.length, mean, scratchS), 1e-6 * ssd);
        MemorySegment v = seg(new float[x.length]), s = seg(new float[x.length]);
        VEC.softmaxRow(xs, 0, v, 0, x.length, 0.7f, scratchV);
        SCA.softmaxRow(xs, 0, s, 0, x.length, 0.7f, scratchS);
        float[] fv = v.toArray(Tensor.F32_LE), fs = s.toArray(Tensor.F32_LE);
        double total = 0;
        for (int i = 0; i < fs.length; i++) {
            assertEquals(fv[i], fs[i], 1e-6 * fv[i] + 1e-12, "softmax " + i);
            total += fs[i];
        }
        assertEquals(1.0, total, 1e-5);
    }

    @Test
    void theJvmWithTheModuleChoosesTheVectorLoops() {
        assertTrue(VectorApi.enabled(), "surefire runs with --add-modules jdk.incubator.vector");
        assertTrue(CpuLoops.INSTANCE instanceof VectorLoops);
        assertTrue(new CpuBackend(1).description().contains("Vector API"));
    }
}
