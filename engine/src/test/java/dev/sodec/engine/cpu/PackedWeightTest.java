package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Act;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weights packed once ({@link PackedWeight}) and the paths that read them: the whole-K GEMM ({@link WholeKGemm}) must
 * give the per-call-packing GEMM's bits, and convs in both GEMM orientations ({@link CpuConv#pixelRows}) must match
 * the convolution's definition whatever the thread count.
 */
class PackedWeightTest {
    private static Tensor random(SplittableRandom rnd, int... shape) {
        float[] v = new float[(int) dev.sodec.engine.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Tensor.fromFloats(v, shape);
    }

    /** C (m x n) from an A panel and a B panel, over a prefilled C when {@code accumulate}, with a SiLU+residual epilogue. */
    private static float[] gemm(Parallel par, int m, int n, int k, Panel a, Panel b, float[] c0, float[] residual,
                                boolean accumulate) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment c = arena.allocate((long) m * n * 4, 64), r = arena.allocate((long) m * n * 4, 64);
            MemorySegment.copy(c0, 0, c, F32_LE, 0, m * n);
            MemorySegment.copy(residual, 0, r, F32_LE, 0, m * n);
            GemmDriver.run(par, m, n, k, a, b, c, 0, n, accumulate, null, CpuEpilogue.of(Act.SILU, r));
            return c.toArray(F32_LE);
        }
    }

    @ParameterizedTest
    // the last two: the operand packed per call exceeds WholeKGemm.WHOLE_MAX, so the K-block loop runs
    @CsvSource({"16, 1280, 1100", "13, 77, 1537", "64, 200, 512", "1, 96, 40", "100, 33, 700", "16, 1000, 1100",
            "1000, 16, 1100"})
    void packedOperandsGiveThePerCallGemmsBits(int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(m * 31L + n * 7L + k);
        Tensor x = random(rnd, m, k), w = random(rnd, n, k), wa = random(rnd, m, k), xb = random(rnd, k, n);
        float[] c0 = random(rnd, m, n).data().toArray(F32_LE), res = random(rnd, m, n).data().toArray(F32_LE);
        for (int threads : new int[] {1, 3}) {
            try (Parallel par = new Parallel(threads)) {
                // B = weight^T (a linear layer): packed NR-wide slivers vs packing per call
                PackedWeight pb = PackedWeight.pack(par, w, GemmDriver.NR);
                PackedWeight pa = PackedWeight.pack(par, wa, GemmDriver.MR);
                try {
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] want = gemm(par, m, n, k, SegmentPanel.rowMajor(x.data(), 0, k),
                                SegmentPanel.rowMajor(w.data(), 0, k), c0, res, acc);
                        float[] got = gemm(par, m, n, k, SegmentPanel.rowMajor(x.data(), 0, k), pb, c0, res, acc);
                        assertArrayEquals(want, got, "packed B, m=" + m + " n=" + n + " k=" + k + " threads=" + threads);
                        // A = weight (a conv): packed MR-wide slivers vs packing per call
                        want = gemm(par, m, n, k, SegmentPanel.rowMajor(wa.data(), 0, k),
                                SegmentPanel.kMajor(xb.data(), 0, n), c0, res, acc);
                        got = gemm(par, m, n, k, pa, SegmentPanel.kMajor(xb.data(), 0, n), c0, res, acc);
                        assertArrayEquals(want, got, "packed A, m=" + m + " n=" + n + " k=" + k + " threads=" + threads);
                    }
                } finally {
                    pa.free();
                    pb.free();
                }
            }
        }
    }

    /** conv(x, w) + bias, then SiLU, then + residual: the definition, in double. */
    private static double[] reference(Tensor x, Tensor w, Tensor bias, Tensor residual, int pad) {
        int cin = x.dim(1), h = x.dim(2), wd = x.dim(3), cout = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int oh = h + 2 * pad - kh + 1, ow = wd + 2 * pad - kw + 1;
        float[] xa = x.data().toArray(F32_LE), wa = w.data().toArray(F32_LE), ba = bias.data().toArray(F32_LE);
        float[] ra = residual.data().toArray(F32_LE);
        double[] out = new double[cout * oh * ow];
        for (int co = 0; co < cout; co++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double s = ba[co];
            for (int ci = 0; ci < cin; ci++) for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) {
                int iy = oy - pad + ky, ix = ox - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                s += (double) xa[(ci * h + iy) * wd + ix] * wa[((co * cin + ci) * kh + ky) * kw + kx];
            }
            int i = (co * oh + oy) * ow + ox;
            out[i] = s / (1 + Math.exp(-s)) + ra[i];
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"4, 4, 3, 67", "8, 8, 3, 67", "9, 8, 3, 67", "5, 3, 3, 67", "17, 9, 3, 67", "4, 4, 1, 67", "6, 6, 1, 67",
            "64, 70, 3, 3", "65, 64, 3, 1", "64, 64, 1, 4"})
    void constantWeightConvsMatchTheDefinitionOnEveryPath(int h, int w, int k, int coutOrWide) {
        SplittableRandom rnd = new SplittableRandom(h * 100 + w * 10 + k);
        // 67: 2*NR+3 output channels (both GEMM orientations), cin such that the weight is packed once (at least
        // PREPACK_MIN_FLOATS over at most PREPACK_MAX_COLUMNS pixels); 1-4: SmallOutputConv from 64x64 up
        int cout = coutOrWide == 67 ? 2 * GemmDriver.NR + 3 : coutOrWide, pad = k / 2;
        int cin = coutOrWide == 67 ? (int) (CpuBackend.PREPACK_MIN_FLOATS / ((long) cout * k * k)) + 1 : 70;
        Tensor x = random(rnd, 1, cin, h, w), wt = random(rnd, cout, cin, k, k), b = random(rnd, cout);
        Tensor r = random(rnd, 1, cout, h, w);
        double[] want = reference(x, wt, b, r, pad);
        float[] first = null;
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend cpu = new CpuBackend(threads)) {
                Graph g = new Graph();
                Node xi = g.input("x", x.shape()), ri = g.input("r", r.shape());
                g.output("y", g.add(g.silu(g.conv2d(xi, wt, b, Conv2dParams.of(1, pad))), ri));
                try (Executable e = Executable.compile(cpu, g)) {
                    float[] got = e.run(x, r)[0].data().toArray(F32_LE);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], 2e-4 * (1 + Math.abs(want[i])), "element " + i + ", threads " + threads);
                    }
                    // the second run reads the weight packed (when the conv takes it so): the same bits
                    assertArrayEquals(got, e.run(x, r)[0].data().toArray(F32_LE), "packed on the second run");
                    assertEquals(coutOrWide == 67 ? 1 : 0, cpu.packedWeights().size());
                    if (first == null) first = got;
                    else assertArrayEquals(first, got, "1 vs 3 threads");
                }
            }
        }
        assertTrue(cout <= SmallOutputConv.MAX_COUT || CpuConv.pixelRows(16, cout, 1), "4x4 cases: pixels as rows");
    }

    @Test
    void smallWeightsAndManyPixelsStayPackedPerCall() {
        SplittableRandom rnd = new SplittableRandom(8);
        Tensor x = random(rnd, 1, 16, 8, 8), small = random(rnd, 16, 16, 3, 3), b = random(rnd, 16);
        Tensor wide = random(rnd, 4100, 64), tokens = random(rnd, (int) CpuBackend.PREPACK_MAX_COLUMNS + 1, 64);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Graph g = new Graph();
            g.output("y", g.conv2d(g.input("x", x.shape()), small, b, Conv2dParams.of(1, 1)));
            g.output("z", g.linear(g.input("t", tokens.shape()), wide, null));
            try (Executable e = Executable.compile(cpu, g)) {
                e.run(x, tokens);
                e.run(x, tokens);
                assertEquals(0, cpu.packedWeights().size(), "a 2304-float weight, and a big one over 2049 tokens");
            }
        }
    }

    @Test
    void aWeightIsPackedWhenItsProgramRunsTheSecondTimeAndFreedWithIt() {
        SplittableRandom rnd = new SplittableRandom(5);
        int rows = 10, in = 900, out = (int) (CpuBackend.PREPACK_MIN_FLOATS / in) + 1;   // packed: big enough, few rows
        Tensor x = random(rnd, rows, in), w = random(rnd, out, in), bias = random(rnd, out);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Graph g = new Graph();
            g.output("y", g.linear(g.input("x", x.shape()), w, bias));
            try (Executable e = Executable.compile(cpu, g)) {
                float[] got = e.run(x)[0].data().toArray(F32_LE);
                float[] xa = x.data().toArray(F32_LE), wa = w.data().toArray(F32_LE), ba = bias.data().toArray(F32_LE);
                for (int i = 0; i < rows; i++) {
                    for (int o = 0; o < out; o++) {
                        double s = ba[o];
                        for (int p = 0; p < in; p++) s += (double) xa[i * in + p] * wa[o * in + p];
                        assertEquals(s, got[i * out + o], 1e-4 * (1 + Math.abs(s)));
                    }
                }
                assertEquals(0, cpu.packedWeights().size(), "a program run once packs nothing");
                assertArrayEquals(got, e.run(x)[0].data().toArray(F32_LE), "the packed second run: the same bits");
                assertEquals(1, cpu.packedWeights().size(), "the weight is held packed from the second run on");
                e.run(x);
                assertEquals(1, cpu.packedWeights().size(), "and packed once");
            }
            assertEquals(0, cpu.packedWeights().size(), "closing the program frees the packed weight");
            assertEquals(0, cpu.constants().size(), "and the constants it held");
        }
    }
}
