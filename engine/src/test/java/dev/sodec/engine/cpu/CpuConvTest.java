package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import dev.sodec.engine.graph.Eager;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuConvTest {
    private static final CpuBackend CPU1 = new CpuBackend(1), CPU3 = new CpuBackend(3);
    private static final Eager ONE = new Eager(CPU1);
    private static final Eager THREE = new Eager(CPU3);

    @AfterAll
    static void close() {
        CPU1.close();
        CPU3.close();
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        float[] v = new float[(int) dev.sodec.engine.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Tensor.fromFloats(v, shape);
    }

    private static float at(Tensor t, long i) { return t.data().getAtIndex(F32_LE, i); }

    /** Direct torch.nn.functional.conv2d definition, accumulated in double. */
    private static double[] refConv(Tensor x, Tensor w, Tensor bias, Conv2dParams p, int oh, int ow) {
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int cout = w.dim(0), cpg = w.dim(1), kh = w.dim(2), kw = w.dim(3), opg = cout / p.groups();
        float[] xa = x.data().toArray(F32_LE), wa = w.data().toArray(F32_LE);
        double[] out = new double[nb * cout * oh * ow];
        for (int b = 0; b < nb; b++) for (int co = 0; co < cout; co++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double s = bias == null ? 0 : at(bias, co);
            int c0 = (co / opg) * cpg;
            for (int ci = 0; ci < cpg; ci++) for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) {
                int iy = oy * p.strideH() - p.padH() + ky * p.dilationH(), ix = ox * p.strideW() - p.padW() + kx * p.dilationW();
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                s += (double) xa[((b * cin + c0 + ci) * h + iy) * wd + ix] * wa[((co * cpg + ci) * kh + ky) * kw + kx];
            }
            out[((b * cout + co) * oh + oy) * ow + ox] = s;
        }
        return out;
    }

    /** Scatter definition of conv_transpose2d (weight (in, out/groups, kh, kw)), accumulated in double. */
    private static double[] refConvT(Tensor x, Tensor w, Tensor bias, Conv2dParams p, int oh, int ow) {
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int opg = w.dim(1), kh = w.dim(2), kw = w.dim(3), g = p.groups(), cout = opg * g, ipg = cin / g;
        float[] xa = x.data().toArray(F32_LE), wa = w.data().toArray(F32_LE);
        double[] out = new double[nb * cout * oh * ow];
        for (int b = 0; b < nb; b++) for (int co = 0; co < cout; co++) for (int i = 0; i < oh * ow; i++) {
            out[(b * cout + co) * oh * ow + i] = bias == null ? 0 : at(bias, co);
        }
        for (int b = 0; b < nb; b++) for (int ci = 0; ci < cin; ci++) for (int iy = 0; iy < h; iy++) for (int ix = 0; ix < wd; ix++) {
            double xv = xa[((b * cin + ci) * h + iy) * wd + ix];
            for (int c = 0; c < opg; c++) for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) {
                int oy = iy * p.strideH() - p.padH() + ky * p.dilationH(), ox = ix * p.strideW() - p.padW() + kx * p.dilationW();
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                int co = (ci / ipg) * opg + c;
                out[((b * cout + co) * oh + oy) * ow + ox] += xv * wa[((ci * opg + c) * kh + ky) * kw + kx];
            }
        }
        return out;
    }

    private static void assertClose(double[] want, Tensor got, String what) {
        assertEquals(want.length, got.numel(), what);
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        float[] g = got.data().toArray(F32_LE);
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - g[i]) > 1e-5 * (1 + scale)) assertEquals(want[i], g[i], 1e-5 * (1 + scale), what + " at " + i);
        }
    }

    private static void assertSameBits(Tensor a, Tensor b, String what) {
        assertTrue(a.data().mismatch(b.data()) == -1, "1 vs 3 threads differ: " + what);
    }

    /** {nb, cin, h, w, cout, kh, kw, stride, pad, dilation, groups, bias} */
    private static final int[][] CONV_CASES = {
            {1, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1},     // odd everything
            {2, 4, 11, 13, 6, 3, 3, 2, 1, 1, 1, 1},   // stride 2, batch 2
            {1, 6, 10, 9, 4, 3, 3, 1, 2, 2, 1, 0},    // dilation 2, no bias
            {1, 8, 9, 7, 6, 3, 3, 1, 1, 1, 2, 1},     // groups 2
            {1, 9, 8, 8, 9, 3, 3, 1, 1, 1, 3, 1},     // groups 3
            {1, 12, 9, 11, 12, 3, 3, 1, 1, 1, 12, 1}, // depthwise
            {1, 5, 9, 10, 10, 3, 3, 2, 1, 1, 5, 1},   // depthwise, multiplier 2, stride 2
            {1, 7, 13, 37, 7, 5, 5, 1, 4, 2, 7, 0},   // depthwise dilated, wide rows
            {1, 16, 6, 7, 8, 1, 1, 1, 0, 1, 1, 1},    // pointwise: straight GEMM
            {1, 16, 7, 7, 8, 1, 1, 2, 0, 1, 1, 1},    // 1x1 stride 2: im2col path
            {1, 3, 16, 16, 12, 5, 5, 2, 2, 1, 1, 1},  // analysis-transform shape
            {1, 2, 5, 70, 3, 3, 3, 1, 1, 1, 1, 1},    // rows longer than a sliver
            {1, 1, 4, 4, 3, 2, 3, 1, 0, 1, 1, 1},     // one input channel, non-square kernel
            {1, 35, 9, 9, 17, 3, 3, 1, 1, 1, 1, 1},   // K = 315
            {1, 64, 9, 9, 9, 3, 3, 1, 1, 1, 1, 1},    // K = 576 crosses the GEMM's K block
            {1, 32, 20, 21, 40, 3, 3, 1, 1, 1, 1, 1}, // big enough for the GEMM to use the pool
            {1, 4, 50, 51, 5, 3, 3, 1, 1, 1, 1, 1},   // 2550 pixels: more than one GEMM column block
    };

    @Test
    void conv2dMatchesDirectDefinition() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int[] c : CONV_CASES) {
            int g = c[10];
            Tensor x = random(rnd, c[0], c[1], c[2], c[3]);
            Tensor w = random(rnd, c[4], c[1] / g, c[5], c[6]);
            Tensor bias = c[11] == 1 ? random(rnd, c[4]) : null;
            Conv2dParams p = Conv2dParams.of(c[7], c[8], c[9], g);
            Tensor y1 = ONE.conv2d(x, w, bias, p);
            Tensor y3 = THREE.conv2d(x, w, bias, p);
            String what = java.util.Arrays.toString(c);
            int oh = p.outH(c[2], c[5]), ow = p.outW(c[3], c[6]);
            assertArrayEquals(new int[] {c[0], c[4], oh, ow}, y1.shape(), what);
            assertClose(refConv(x, w, bias, p, oh, ow), y1, what);
            assertSameBits(y1, y3, what);
        }
    }

    /** {nb, cin, h, w, cout, k, stride, pad, outPad, dilation, groups, bias} */
    private static final int[][] CONVT_CASES = {
            {1, 8, 6, 6, 6, 4, 2, 1, 0, 1, 1, 1},
            {1, 12, 5, 5, 8, 5, 2, 2, 1, 1, 1, 1},   // CompressAI deconv: exact 2x
            {2, 5, 4, 7, 3, 3, 1, 1, 0, 1, 1, 0},    // stride 1, batch 2, no bias
            {1, 6, 5, 3, 4, 3, 3, 0, 2, 1, 2, 1},    // stride 3, output padding 2, groups 2
            {1, 4, 5, 6, 4, 3, 2, 1, 1, 2, 1, 1},    // dilation 2
            {1, 35, 3, 4, 3, 2, 2, 0, 0, 1, 1, 1},   // K = 35 input channels, k = 2
            {1, 520, 3, 3, 2, 3, 2, 1, 1, 1, 1, 1},  // K = 520 crosses the GEMM's K block
            {1, 32, 20, 21, 8, 4, 2, 1, 0, 1, 1, 1}, // big enough for the GEMM to use the pool
            {1, 4, 5, 5, 6, 2, 3, 0, 0, 1, 1, 1},    // kernel smaller than stride: some phases get no tap
            {1, 4, 6, 5, 4, 3, 2, 0, 1, 3, 2, 1},    // dilation 3 with stride 2 (taps step by 2), groups 2
            {1, 3, 4, 4, 3, 4, 4, 1, 2, 2, 1, 1},    // stride 4, dilation 2 (gcd 2), output padding 2
    };

    @Test
    void convTranspose2dMatchesScatterDefinition() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int[] c : CONVT_CASES) {
            int g = c[10];
            Tensor x = random(rnd, c[0], c[1], c[2], c[3]);
            Tensor w = random(rnd, c[1], c[4] / g, c[5], c[5]);
            Tensor bias = c[11] == 1 ? random(rnd, c[4]) : null;
            Conv2dParams p = new Conv2dParams(c[6], c[6], c[7], c[7], c[9], c[9], g, c[8], c[8]);
            Tensor y1 = ONE.convTranspose2d(x, w, bias, p);
            Tensor y3 = THREE.convTranspose2d(x, w, bias, p);
            String what = java.util.Arrays.toString(c);
            int oh = p.transposedOutH(c[2], c[5]), ow = p.transposedOutW(c[3], c[5]);
            assertArrayEquals(new int[] {c[0], c[4], oh, ow}, y1.shape(), what);
            assertClose(refConvT(x, w, bias, p, oh, ow), y1, what);
            assertSameBits(y1, y3, what);
        }
    }

    @Test
    void convTransposeOnALargerImage() {
        // Several GEMM column blocks per phase, pool-sized work, and odd output sizes per phase.
        SplittableRandom rnd = new SplittableRandom(9);
        int h = 37, wd = 61;
        Tensor x = random(rnd, 1, 6, h, wd), w = random(rnd, 6, 8, 5, 5), bias = random(rnd, 8);
        Conv2dParams p = Conv2dParams.transposed(2, 2, 1);
        Tensor y1 = ONE.convTranspose2d(x, w, bias, p);
        assertClose(refConvT(x, w, bias, p, 2 * h, 2 * wd), y1, "large convT");
        assertSameBits(y1, THREE.convTranspose2d(x, w, bias, p), "large convT");
    }

    @Test
    void largeConvSpotCheck() {
        // 96 -> 96 channels, 3x3, 64x64 (K = 864 spans two K blocks, 4096 pixels two column blocks):
        // 0.7 GFLOP, so compare sampled outputs with the direct definition. (The full SD size, 320 channels,
        // takes seconds more while the JIT warms up on a loaded machine; the bench runs it.)
        SplittableRandom rnd = new SplittableRandom(10);
        int c = 96, s = 64;
        Tensor x = random(rnd, 1, c, s, s), w = random(rnd, c, c, 3, 3), bias = random(rnd, c);
        Conv2dParams p = Conv2dParams.of(1, 1);
        Tensor y = THREE.conv2d(x, w, bias, p);
        float[] xa = x.data().toArray(F32_LE), wa = w.data().toArray(F32_LE), ya = y.data().toArray(F32_LE);
        for (int sample = 0; sample < 300; sample++) {
            int co = rnd.nextInt(c), oy = sample < 20 ? 0 : rnd.nextInt(s), ox = sample < 40 ? s - 1 : rnd.nextInt(s);
            double want = at(bias, co);
            for (int ci = 0; ci < c; ci++) for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) {
                int iy = oy - 1 + ky, ix = ox - 1 + kx;
                if (iy >= 0 && iy < s && ix >= 0 && ix < s) want += (double) xa[(ci * s + iy) * s + ix] * wa[((co * c + ci) * 3 + ky) * 3 + kx];
            }
            assertEquals(want, ya[(co * s + oy) * s + ox], 1e-4, "y[" + co + "," + oy + "," + ox + "]");
        }
    }

    @Test
    void confinedInputsWorkWithAThreadPool() {
        SplittableRandom rnd = new SplittableRandom(11);
        Tensor x = random(rnd, 1, 32, 20, 21), w = random(rnd, 40, 32, 3, 3), wt = random(rnd, 32, 8, 4, 4);
        try (java.lang.foreign.Arena confined = java.lang.foreign.Arena.ofConfined()) {
            Tensor cx = Tensor.zeros(confined, dev.sodec.engine.tensor.DType.F32, 1, 32, 20, 21);
            cx.data().copyFrom(x.data());
            assertSameBits(ONE.conv2d(x, w, null, Conv2dParams.of(1, 1)), THREE.conv2d(cx, w, null, Conv2dParams.of(1, 1)), "confined conv");
            Conv2dParams pt = Conv2dParams.transposed(2, 1, 0);
            assertSameBits(ONE.convTranspose2d(x, wt, null, pt), THREE.convTranspose2d(cx, wt, null, pt), "confined convT");
        }
    }

    @Test
    void rejectsMismatchedShapes() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        assertThrows(IllegalArgumentException.class, () -> ONE.conv2d(x, Tensor.zeros(3, 3, 3, 3), null, Conv2dParams.of(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ONE.conv2d(x, Tensor.zeros(3, 4, 3, 3), Tensor.zeros(4), Conv2dParams.of(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ONE.conv2d(x, Tensor.zeros(3, 4, 7, 7), null, Conv2dParams.of(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> ONE.conv2d(x, Tensor.zeros(3, 4, 3, 3), null,
                new Conv2dParams(1, 1, Integer.MAX_VALUE, 0, 1, 1, 1, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> ONE.convTranspose2d(x, Tensor.zeros(3, 2, 3, 3), null, Conv2dParams.transposed(2, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ONE.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), null, Conv2dParams.transposed(2, 1, 2)));
        Tensor i32 = Tensor.fromInts(new int[4 * 25], 1, 4, 5, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> ONE.conv2d(i32, Tensor.zeros(3, 4, 3, 3), null, Conv2dParams.of(1, 1)));
        assertTrue(e.getMessage().contains("float tensor"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"op.conv2d.depthwise", "op.conv2d.dilation2", "op.conv2d.k1", "op.conv2d.k3s1p1",
            "op.conv2d.k5s2p2", "op.conv2d.nobias", "op.conv_transpose2d.k4s2p1", "op.conv_transpose2d.k5s2p2op1"})
    void goldenCase(String id) throws IOException {
        Path dir = Path.of(System.getProperty("sodec.shared"), "golden", id);
        Config cfg = Config.parse(Files.readString(dir.resolve("case.json")), id);
        Config conf = cfg.getObject("config");
        boolean transposed = cfg.getString("kind").equals("op.conv_transpose2d");
        int stride = conf.getInt("stride"), pad = conf.getInt("padding"), dil = conf.getInt("dilation", 1), groups = conf.getInt("groups", 1);
        Conv2dParams p = new Conv2dParams(stride, stride, pad, pad, dil, dil, groups, conf.getInt("output_padding", 0), conf.getInt("output_padding", 0));
        try (SafeTensors wts = SafeTensors.open(dir.resolve("weights.safetensors")); SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"))) {
            Tensor x = io.get("in.x").toF32(), w = wts.get("weight").toF32();
            Tensor bias = wts.contains("bias") ? wts.get("bias").toF32() : null;
            assertEquals(conf.getBool("bias"), bias != null, id + ": bias presence");
            Tensor want = io.get("out.y").toF32();
            Tensor got = transposed ? ONE.convTranspose2d(x, w, bias, p) : ONE.conv2d(x, w, bias, p);
            Tensor got3 = transposed ? THREE.convTranspose2d(x, w, bias, p) : THREE.conv2d(x, w, bias, p);
            assertArrayEquals(want.shape(), got.shape(), id);
            assertSameBits(got, got3, id);
            double diff2 = 0, ref2 = 0, maxAbs = 0;
            for (long i = 0; i < want.numel(); i++) {
                double d = (double) at(got, i) - at(want, i);
                diff2 += d * d;
                ref2 += (double) at(want, i) * at(want, i);
                maxAbs = Math.max(maxAbs, Math.abs(d));
            }
            double relL2 = Math.sqrt(diff2) / Math.max(Math.sqrt(ref2), 1e-12);
            Config tol = cfg.getObject("tolerance_per_output").getObject("y");
            assertTrue(relL2 <= tol.getDouble("rel_l2"), id + ": rel_l2 " + relL2 + " > " + tol.getDouble("rel_l2"));
            assertTrue(maxAbs <= tol.getDouble("max_abs"), id + ": max_abs " + maxAbs + " > " + tol.getDouble("max_abs"));
        }
    }
}
