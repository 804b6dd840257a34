package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** Winograd F(4x4,3x3) and F(2x2,3x3) against a float64 direct convolution, within the golden op tolerances (FORMAT.md). */
class WinogradConvTest {
    private static Tensor random(SplittableRandom rnd, int... shape) {
        float[] v = new float[(int) dev.sodec.engine.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Tensor.fromFloats(v, shape);
    }

    /** act(conv + bias) + residual in double (torch conv2d definition, 3x3, stride 1). */
    private static double[] reference(Tensor x, Tensor w, Tensor bias, int pad, boolean silu, Tensor residual,
                                      int oh, int ow) {
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), k = w.dim(0);
        float[] xa = x.toFloatArray(), wa = w.toFloatArray();
        float[] ba = bias == null ? null : bias.toFloatArray(), ra = residual == null ? null : residual.toFloatArray();
        double[] out = new double[nb * k * oh * ow];
        for (int b = 0; b < nb; b++) for (int o = 0; o < k; o++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double s = ba == null ? 0 : ba[o];
            for (int i = 0; i < c; i++) for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) {
                int iy = oy - pad + ky, ix = ox - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                s += (double) xa[((b * c + i) * h + iy) * wd + ix] * wa[((o * c + i) * 3 + ky) * 3 + kx];
            }
            if (silu) s = s / (1 + Math.exp(-s));
            int idx = ((b * k + o) * oh + oy) * ow + ox;
            if (ra != null) s += ra[idx];
            out[idx] = s;
        }
        return out;
    }

    /** rel_l2 <= 1e-5 and max_abs <= 1e-4 * max(1, max|exp|): the golden op.* F32 defaults. */
    private static void assertWithinOpTolerance(double[] exp, Tensor got) {
        float[] g = got.toFloatArray();
        assertEquals(exp.length, g.length);
        double diff2 = 0, ref2 = 0, maxAbs = 0, maxExp = 0;
        for (int i = 0; i < exp.length; i++) {
            double d = g[i] - exp[i];
            diff2 += d * d;
            ref2 += exp[i] * exp[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
            maxExp = Math.max(maxExp, Math.abs(exp[i]));
        }
        double rel = Math.sqrt(diff2) / Math.max(Math.sqrt(ref2), 1e-12);
        assertTrue(rel <= 1e-5, "rel_l2 " + rel);
        assertTrue(maxAbs <= 1e-4 * Math.max(1, maxExp), "max_abs " + maxAbs + " (max |exp| " + maxExp + ")");
    }

    @ParameterizedTest
    @CsvSource({
            // tile, batch, c, k, h, w, pad, bias, silu, residual
            "F4, 1, 3, 5, 4, 4, 1, true, false, false",
            "F4, 2, 7, 5, 9, 13, 1, true, false, true",
            "F4, 1, 65, 67, 11, 10, 1, true, true, false",
            "F4, 1, 33, 31, 23, 18, 1, false, true, true",
            "F4, 1, 16, 9, 7, 6, 0, true, false, false",
            "F4, 1, 9, 16, 5, 7, 2, true, true, true",
            "F2, 1, 3, 5, 4, 4, 1, true, false, false",
            "F2, 2, 7, 5, 9, 13, 1, true, false, true",
            "F2, 1, 65, 67, 11, 10, 1, true, true, false",
            "F2, 1, 33, 31, 23, 18, 1, false, true, true",
            "F2, 1, 16, 9, 7, 6, 0, true, false, false",
            "F2, 1, 9, 16, 5, 7, 2, true, true, true",
            "F2, 1, 140, 129, 17, 16, 1, true, false, true",
            "F2_ROWS, 1, 3, 5, 4, 4, 1, true, false, false",
            "F2_ROWS, 2, 7, 5, 9, 13, 1, true, false, true",
            "F2_ROWS, 1, 65, 67, 11, 10, 1, true, true, false",
            "F2_ROWS, 1, 9, 16, 5, 7, 2, true, true, true",
            "F2_ROWS, 1, 16, 9, 7, 6, 0, true, false, false",
            "F2_ROWS, 1, 140, 129, 8, 8, 1, true, false, true",
            // more input channels than a K block (512), a partial last column sliver (67 of 96)
            "F2_ROWS, 1, 530, 67, 10, 9, 1, false, true, true",
            // c + k past what one tile block holds for 144 tiles: two blocks
            "F2_ROWS, 1, 2100, 40, 24, 24, 1, true, false, true",
    })
    void matchesDirectConvolution(WinogradConv.Tile tile, int nb, int c, int k, int h, int w, int pad, boolean withBias,
                                  boolean silu, boolean withResidual) {
        SplittableRandom rnd = new SplittableRandom(c * 31L + k * 7L + h + w);
        Tensor x = random(rnd, nb, c, h, w), wt = random(rnd, k, c, 3, 3);
        Tensor bias = withBias ? random(rnd, k) : null;
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        Tensor residual = withResidual ? random(rnd, nb, k, oh, ow) : null;
        Act act = silu ? Act.SILU : null;
        double[] exp = reference(x, wt, bias, pad, silu, residual, oh, ow);
        try (Arena arena = Arena.ofShared(); Parallel par = new Parallel(2)) {
            WinogradConv.Filter f = WinogradConv.transform(par, wt, tile);
            try {
                MemorySegment ws = arena.allocate(WinogradConv.workspaceBytes(tile, c, k, tile.tiles(oh, ow)), 64);
                Tensor out = Tensor.zeros(nb, k, oh, ow);
                WinogradConv.run(par, x, f, bias, Conv2dParams.of(1, pad), act, residual, out, ws);
                assertWithinOpTolerance(exp, out);
                // the output written over its residual (how the plan may place an epilogue without activation)
                if (withResidual && !silu) {
                    Tensor inPlace = Tensor.fromFloats(residual.toFloatArray(), residual.shape());
                    WinogradConv.run(par, x, f, bias, Conv2dParams.of(1, pad), null, inPlace, inPlace, ws);
                    assertArrayEquals(out.toFloatArray(), inPlace.toFloatArray());
                }
                // the filter is the same for any thread count
                Tensor serial = Tensor.zeros(nb, k, oh, ow);
                WinogradConv.Filter f1;
                try (Parallel one = new Parallel(1)) {
                    f1 = WinogradConv.transform(one, wt, tile);
                }
                try {
                    WinogradConv.run(par, x, f1, bias, Conv2dParams.of(1, pad), act, residual, serial, ws);
                } finally {
                    f1.free();
                }
                assertArrayEquals(out.toFloatArray(), serial.toFloatArray());
            } finally {
                f.free();
            }
        }
    }

    /**
     * Which UNet-size convs take which tile: F(4x4) from a 32x32 output only up to 512 output channels (256-1024
     * input channels), from 64x64 any 128+ channels; F(2x2) for the other 128+ channel convs from a 16x16 output
     * (the 640- and 1280-channel levels, whose U would be 4x the weight under F(4x4)), transposed from 8x8 to 15x15;
     * im2col below.
     */
    @Test
    void selectsTheTileByChannelsAndOutputSize() {
        WinogradConv.Tile f4 = WinogradConv.Tile.F4, f2 = WinogradConv.Tile.F2;
        assertEquals(f4, tileFor(960, 320, 32), "960 -> 320 at 32x32 (an SD UNet's top up block)");
        assertEquals(f4, tileFor(512, 512, 32), "a VAE decoder's 512-channel conv at 32x32");
        assertEquals(f2, tileFor(1280, 320, 32), "more than 1024 input channels at 32x32");
        assertEquals(f2, tileFor(640, 640, 32), "640 output channels at 32x32");
        assertEquals(f2, tileFor(960, 320, 16), "fewer than 64 4x4 tiles");
        assertEquals(f2, tileFor(640, 640, 16), "an SD UNet's 640 level at a 256x256 image");
        assertEquals(f2, tileFor(1280, 1280, 16), "the 1280 level at 16x16");
        assertEquals(f2, tileFor(128, 128, 32), "128 channels need a 64x64 output for F(4x4)");
        assertEquals(f4, tileFor(1280, 1280, 64), "any 128+ channels at 64x64");
        WinogradConv.Tile rows = WinogradConv.Tile.F2_ROWS;
        assertEquals(rows, tileFor(1280, 1280, 8), "an 8x8 output is 16 2x2 tiles");
        assertEquals(rows, tileFor(2560, 1280, 8), "an SD UNet's 8x8 level after the skip concat");
        assertEquals(rows, tileFor(1280, 1280, 14), "14x14: 49 2x2 tiles");
        assertEquals(f2, tileFor(1280, 1280, 15), "15x15: 64 2x2 tiles, 15 of them cut");
        assertEquals(rows, tileFor(1280, 1280, 7), "a 7x7 output is 16 2x2 tiles too, 7 of them cut");
        assertNull(tileFor(1280, 1280, 6), "a 6x6 output: 9 tiles");
        assertNull(tileFor(1280, 1280, 4), "a 4x4 output: 4 tiles");
        assertNull(tileFor(64, 640, 32), "fewer than 128 input channels");
    }

    /** The wide reach takes F(4x4) for every 128+ channel conv from a 16x16 output; off takes none. */
    @Test
    void wideReachTakesF4From16x16AndOffTakesNone() {
        WinogradConv.Tile f4 = WinogradConv.Tile.F4;
        assertEquals(f4, tileFor(640, 640, 16, WinogradConv.Reach.WIDE), "640 -> 640 at 16x16");
        assertEquals(f4, tileFor(1920, 640, 16, WinogradConv.Reach.WIDE), "1920 -> 640 at 16x16");
        assertEquals(f4, tileFor(1280, 1280, 32, WinogradConv.Reach.WIDE), "1280 -> 1280 at 32x32");
        assertEquals(WinogradConv.Tile.F2_ROWS, tileFor(1280, 1280, 8, WinogradConv.Reach.WIDE), "an 8x8 output: F(2x2) as by default");
        assertNull(tileFor(1280, 1280, 8, WinogradConv.Reach.OFF), "off at 8x8");
        assertNull(tileFor(64, 640, 32, WinogradConv.Reach.WIDE), "fewer than 128 input channels");
        assertNull(tileFor(512, 512, 64, WinogradConv.Reach.OFF), "off");
        assertEquals(WinogradConv.Reach.WIDE, WinogradConv.Reach.parse(" Wide"));
        assertEquals(WinogradConv.Reach.OFF, WinogradConv.Reach.parse("false"));
        assertEquals(WinogradConv.Reach.DEFAULT, WinogradConv.Reach.parse("true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WinogradConv.Reach.parse("yes"));
        assertEquals("sodec.cpu.winograd must be true, false or wide, got 'yes'", e.getMessage());
    }

    private static WinogradConv.Tile tileFor(int cin, int cout, int size) {
        return tileFor(cin, cout, size, WinogradConv.Reach.DEFAULT);
    }

    private static WinogradConv.Tile tileFor(int cin, int cout, int size, WinogradConv.Reach reach) {
        dev.sodec.engine.graph.Graph g = new dev.sodec.engine.graph.Graph();
        dev.sodec.engine.graph.Node x = g.input("x", 1, cin, size, size);
        Tensor w = Tensor.zeros(cout, cin, 3, 3);
        return WinogradConv.tileFor(g.conv2d(x, w, null, Conv2dParams.of(1, 1)), reach);
    }

    /**
     * Through a compiled graph (filter made at prepare, workspace planned, SiLU + residual fused): bit-identical for
     * 1 and 3 threads, within tolerance, and not the im2col path's bits (so the Winograd path really ran).
     */
    @Test
    void compiledGraphIsThreadCountIndependentAndAccurate() {
        SplittableRandom rnd = new SplittableRandom(5);
        int c = 128, k = 136, h = 61, w = 65;
        assertTrue(WinogradConv.applies(new int[] {k, c, 3, 3}, Conv2dParams.of(1, 1)));
        assertTrue(WinogradConv.Tile.F4.tiles(h, w) >= WinogradConv.MIN_TILES);
        Tensor x = random(rnd, 1, c, h, w), r = random(rnd, 1, k, h, w);
        Tensor wt = random(rnd, k, c, 3, 3), bias = random(rnd, k);
        Tensor one = runGraph(1, true, x, r, wt, bias), three = runGraph(3, true, x, r, wt, bias);
        Tensor im2col = runGraph(3, false, x, r, wt, bias);
        assertArrayEquals(one.toFloatArray(), three.toFloatArray());
        double[] exp = reference(x, wt, bias, 1, true, r, h, w);
        assertWithinOpTolerance(exp, one);
        assertWithinOpTolerance(exp, im2col);
        assertFalse(java.util.Arrays.equals(one.toFloatArray(), im2col.toFloatArray()));
    }

    /**
     * A 16x16 output (16 4x4 tiles, 64 2x2 ones) through a compiled graph: F(2x2) by default, F(4x4) under
     * {@code sodec.cpu.winograd=wide}, im2col when off; each within tolerance and each its own bits (so each path ran),
     * and F(2x2) bit-identical for 1 and 3 threads.
     */
    @Test
    void aSmallOutputRunsByF2ByDefaultAndByF4WhenWide() {
        SplittableRandom rnd = new SplittableRandom(9);
        int c = 128, k = 136, h = 16, w = 16;
        assertEquals(WinogradConv.WIDE_MIN_TILES, WinogradConv.Tile.F4.tiles(h, w));
        assertEquals(WinogradConv.F2_MIN_TILES, WinogradConv.Tile.F2.tiles(h, w));
        Tensor x = random(rnd, 1, c, h, w), r = random(rnd, 1, k, h, w);
        Tensor wt = random(rnd, k, c, 3, 3), bias = random(rnd, k);
        Tensor f2 = runGraph(2, "true", x, r, wt, bias), f2one = runGraph(1, "true", x, r, wt, bias);
        Tensor f4 = runGraph(2, "wide", x, r, wt, bias), im2col = runGraph(2, "false", x, r, wt, bias);
        double[] exp = reference(x, wt, bias, 1, true, r, h, w);
        assertWithinOpTolerance(exp, f2);
        assertWithinOpTolerance(exp, f4);
        assertWithinOpTolerance(exp, im2col);
        assertArrayEquals(f2one.toFloatArray(), f2.toFloatArray());
        assertFalse(java.util.Arrays.equals(f2.toFloatArray(), im2col.toFloatArray()));
        assertFalse(java.util.Arrays.equals(f4.toFloatArray(), im2col.toFloatArray()));
        assertFalse(java.util.Arrays.equals(f2.toFloatArray(), f4.toFloatArray()));
    }

    /**
     * An 8x8 output (16 2x2 tiles) through a compiled graph runs by the transposed F(2x2): within tolerance, its own
     * bits (not im2col's), the same bits for 1 and 3 threads.
     */
    @Test
    void an8x8OutputRunsByTransposedF2() {
        SplittableRandom rnd = new SplittableRandom(13);
        int c = 136, k = 200, h = 8, w = 8;
        Tensor x = random(rnd, 1, c, h, w), r = random(rnd, 1, k, h, w);
        Tensor wt = random(rnd, k, c, 3, 3), bias = random(rnd, k);
        Tensor rows = runGraph(3, "true", x, r, wt, bias), rowsOne = runGraph(1, "true", x, r, wt, bias);
        Tensor im2col = runGraph(3, "false", x, r, wt, bias);
        double[] exp = reference(x, wt, bias, 1, true, r, h, w);
        assertWithinOpTolerance(exp, rows);
        assertWithinOpTolerance(exp, im2col);
        assertArrayEquals(rowsOne.toFloatArray(), rows.toFloatArray());
        assertFalse(java.util.Arrays.equals(rows.toFloatArray(), im2col.toFloatArray()));
    }

    private static Tensor runGraph(int threads, boolean winograd, Tensor x, Tensor r, Tensor wt, Tensor bias) {
        return runGraph(threads, Boolean.toString(winograd), x, r, wt, bias);
    }

    private static Tensor runGraph(int threads, String winograd, Tensor x, Tensor r, Tensor wt, Tensor bias) {
        String before = System.getProperty("sodec.cpu.winograd");
        System.setProperty("sodec.cpu.winograd", winograd);
        CpuBackend cpu;
        try {
            cpu = new CpuBackend(threads);
        } finally {
            if (before == null) System.clearProperty("sodec.cpu.winograd"); else System.setProperty("sodec.cpu.winograd", before);
        }
        Graph g = new Graph();
        Node xi = g.input("x", x.shape()), ri = g.input("r", r.shape());
        g.output("y", g.add(g.silu(g.conv2d(xi, wt, bias, Conv2dParams.of(1, 1))), ri));
        try (cpu; Executable e = Executable.compile(cpu, g)) {
            return e.run(x, r)[0];
        }
    }
}
