package dev.sodec.codec.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FixedOrderConvTest {
    private static Tensor rand(Random r, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return Tensor.fromFloats(v, shape);
    }

    /** The documented definition, one output at a time. */
    private static float[] naiveConv(Tensor x, Tensor w, Tensor b, int s, int p) {
        int cin = x.dim(1), h = x.dim(2), wd = x.dim(3), cout = w.dim(0), k = w.dim(2);
        int oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1;
        float[] out = new float[cout * oh * ow];
        for (int co = 0; co < cout; co++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            float acc = b.getFloat(co);
            for (int ci = 0; ci < cin; ci++) for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int iy = oy * s - p + ky, ix = ox * s - p + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += x.getFloat((ci * h + iy) * wd + ix) * w.getFloat(((co * cin + ci) * k + ky) * k + kx);
            }
            out[(co * oh + oy) * ow + ox] = acc;
        }
        return out;
    }

    private static float[] naiveDeconv(Tensor x, Tensor w, Tensor b, int s, int p, int op) {
        int cin = x.dim(1), h = x.dim(2), wd = x.dim(3), cout = w.dim(1), k = w.dim(2);
        int oh = (h - 1) * s - 2 * p + k + op, ow = (wd - 1) * s - 2 * p + k + op;
        float[] out = new float[cout * oh * ow];
        for (int co = 0; co < cout; co++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            float acc = b.getFloat(co);
            for (int ci = 0; ci < cin; ci++) for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int ty = oy + p - ky, tx = ox + p - kx;
                if (ty < 0 || tx < 0 || ty % s != 0 || tx % s != 0 || ty / s >= h || tx / s >= wd) continue;
                acc += x.getFloat((ci * h + ty / s) * wd + tx / s) * w.getFloat(((ci * cout + co) * k + ky) * k + kx);
            }
            out[(co * oh + oy) * ow + ox] = acc;
        }
        return out;
    }

    @Test
    void convMatchesTheDefinitionBitForBitAtAnyThreadCount() {
        Random r = new Random(11);
        // widths beyond one vector (and not a multiple of it) and channel counts beyond one block of 4
        for (int width : new int[] {9, 43}) {
            Tensor x = rand(r, 1, 5, 7, width), w = rand(r, 6, 5, 5, 5), b = rand(r, 6);
            Tensor w3 = rand(r, 9, 5, 3, 3), b3 = rand(r, 9);
            for (int threads : new int[] {1, 2, 3, 8}) {
                try (Parallel par = new Parallel(threads)) {
                    FixedOrderConv.Map3 in = FixedOrderConv.Map3.of(x);
                    assertArrayEquals(naiveConv(x, w, b, 2, 2), FixedOrderConv.conv2d(par, in, w, b, Conv2dParams.of(2, 2)).data());
                    assertArrayEquals(naiveConv(x, w3, b3, 1, 1), FixedOrderConv.conv2d(par, in, w3, b3, Conv2dParams.of(1, 1)).data());
                }
            }
        }
    }

    @Test
    void transposedConvMatchesTheDefinitionBitForBitAtAnyThreadCount() {
        Random r = new Random(12);
        for (int width : new int[] {5, 37}) {
            Tensor x = rand(r, 1, 4, 3, width), w = rand(r, 4, 6, 5, 5), b = rand(r, 6);
            float[] expected = naiveDeconv(x, w, b, 2, 2, 1);
            for (int threads : new int[] {1, 2, 3, 8}) {
                try (Parallel par = new Parallel(threads)) {
                    FixedOrderConv.Map3 out = FixedOrderConv.convTranspose2d(par, FixedOrderConv.Map3.of(x), w, b, Conv2dParams.transposed(2, 2, 1));
                    assertEquals(6, out.h());
                    assertEquals(2 * width, out.w());
                    assertArrayEquals(expected, out.data());
                }
            }
            // stride 3, no output padding: phases of unequal length
            Tensor w4 = rand(r, 4, 5, 4, 4), b4 = rand(r, 5);
            try (Parallel par = new Parallel(2)) {
                assertArrayEquals(naiveDeconv(x, w4, b4, 3, 1, 0), FixedOrderConv.convTranspose2d(par, FixedOrderConv.Map3.of(x), w4, b4,
                        new Conv2dParams(3, 3, 1, 1, 1, 1, 1, 0, 0)).data());
            }
        }
    }

    @Test
    void agreesWithTheCpuBackend() {
        Random r = new Random(13);
        Tensor x = rand(r, 1, 3, 8, 6), w = rand(r, 3, 4, 5, 5), b = rand(r, 4);
        try (CpuBackend cpu = new CpuBackend(2); Parallel par = new Parallel(2)) {
            float[] ref = new Eager(cpu).convTranspose2d(x, w, b, Conv2dParams.transposed(2, 2, 1)).toFloatArray();
            float[] got = FixedOrderConv.convTranspose2d(par, FixedOrderConv.Map3.of(x), w, b, Conv2dParams.transposed(2, 2, 1)).data();
            for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], 1e-4);
        }
    }
}
