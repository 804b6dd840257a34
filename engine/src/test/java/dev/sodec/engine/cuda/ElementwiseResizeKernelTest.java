package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.K;
import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Activations, broadcast binary ops, GEGLU, concat, nearest / bilinear resampling and PixelShuffle, against
 * references written here (torch semantics) or the CPU backend where it has the op (LeakyReLU). Sizes are odd so
 * every grid-stride loop ends in a partial block, and large enough (> 4096 blocks x 256) in one case to wrap.
 */
class ElementwiseResizeKernelTest {

    @ParameterizedTest(name = "op {0}")
    @CsvSource({"0", "1", "2", "4"})
    void unaryActivations(int op) {
        int n = 1001;
        Tensor x = random(op, -9, 9, n);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n);
        K.unary(DType.F32, op, 0f, addr(x), y.addr(), n);
        float[] xs = x.toFloatArray();
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            double v = xs[i];
            e[i] = switch (op) {
                case CudaKernels.UNARY_SILU -> EmuSupport.silu(v);
                case CudaKernels.UNARY_GELU -> EmuSupport.gelu(v);
                case CudaKernels.UNARY_GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                default -> v;
            };
        }
        assertClose("unary " + op, EmuSupport.toFloats(e), y.floats(), 2e-6, 2e-6);
    }

    @Test
    void leakyReluMatchesCpuBackendOverAWrappingGrid() {
        int n = 4096 * 256 + 333;   // more elements than the capped grid has threads: the stride loop wraps
        Tensor x = random(11, -1, 1, n);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n);
        K.unary(DType.F32, CudaKernels.UNARY_LEAKY_RELU, 0.2f, addr(x), y.addr(), n);
        try (CpuBackend cpu = new CpuBackend(1)) {
            assertArrayEquals(cpu.leakyRelu(x, 0.2f).toFloatArray(), y.floats());
        }
    }

    @Test
    void siluF16AndBf16() {
        for (DType t : new DType[] {DType.F16, DType.BF16}) {
            Tensor x = random(12, -6, 6, 257).toFloatType(t);
            EmuSupport.Guarded y = new EmuSupport.Guarded(t, 257);
            K.unary(t, CudaKernels.UNARY_SILU, 0f, addr(x), y.addr(), 257);
            float[] xs = x.toFloatArray();
            float[] e = new float[xs.length];
            for (int i = 0; i < xs.length; i++) e[i] = (float) EmuSupport.silu(xs[i]);
            double tol = t == DType.F16 ? 1e-3 : 8e-3;
            assertClose("silu " + t, e, y.floats(), tol, tol);
        }
    }

    @Test
    void binaryBroadcasts() {
        int n = 2, c = 5, hw = 13;
        Tensor a = random(1, -1, 1, n, c, hw), ch = random(2, -1, 1, c), same = random(3, -1, 1, n, c, hw);
        float[] as = a.toFloatArray(), cs = ch.toFloatArray(), ss = same.toFloatArray();
        EmuSupport.Guarded y1 = new EmuSupport.Guarded(DType.F32, n, c, hw), y2 = new EmuSupport.Guarded(DType.F32, n, c, hw),
                y3 = new EmuSupport.Guarded(DType.F32, n, c, hw);
        int total = n * c * hw;
        K.binary(DType.F32, CudaKernels.BINARY_ADD, addr(a), addr(ch), y1.addr(), total, hw, c);   // per-channel bias
        K.binary(DType.F32, CudaKernels.BINARY_MUL, addr(a), addr(same), y2.addr(), total, 1, total);
        K.binary(DType.F32, CudaKernels.BINARY_SUB, addr(a), addr(ch), y3.addr(), total, 1, c);    // per-feature (last axis 5 = c)
        float[] e1 = new float[total], e2 = new float[total], e3 = new float[total];
        for (int i = 0; i < total; i++) {
            e1[i] = as[i] + cs[(i / hw) % c];
            e2[i] = as[i] * ss[i];
            e3[i] = as[i] - cs[i % c];
        }
        assertArrayEquals(e1, y1.floats());
        assertArrayEquals(e2, y2.floats());
        assertArrayEquals(e3, y3.floats());
    }

    @Test
    void gegluSplitsTheLastAxis() {
        int rows = 7, d = 45;
        Tensor x = random(4, -3, 3, rows, 2 * d);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, rows, d);
        K.geglu(DType.F32, addr(x), y.addr(), rows, d);
        float[] xs = x.toFloatArray();
        double[] e = new double[rows * d];
        for (int r = 0; r < rows; r++) for (int j = 0; j < d; j++) e[r * d + j] = xs[r * 2 * d + j] * EmuSupport.gelu(xs[r * 2 * d + d + j]);
        assertClose("geglu", EmuSupport.toFloats(e), y.floats(), 2e-6, 2e-6);
    }

    @Test
    void concatAlongChannels() {
        // (2, 3, 5, 4) ++ (2, 1, 5, 4) ++ (2, 2, 5, 4) along dim 1
        int n = 2, hw = 20;
        int[] cs = {3, 1, 2};
        Tensor[] ins = new Tensor[3];
        long[] srcs = new long[3], inners = new long[3];
        for (int i = 0; i < 3; i++) {
            ins[i] = random(20 + i, -1, 1, n, cs[i], 5, 4);
            srcs[i] = addr(ins[i]);
            inners[i] = (long) cs[i] * hw;
        }
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n, 6, 5, 4);
        K.concat(DType.F32, y.addr(), n, srcs, inners);
        float[] out = y.floats();
        for (int b = 0; b < n; b++) {
            int c0 = 0;
            for (int i = 0; i < 3; i++) {
                float[] src = ins[i].toFloatArray();
                for (int c = 0; c < cs[i]; c++) for (int p = 0; p < hw; p++) {
                    org.junit.jupiter.api.Assertions.assertEquals(src[(b * cs[i] + c) * hw + p], out[(b * 6 + c0 + c) * hw + p]);
                }
                c0 += cs[i];
            }
        }
    }

    @Test
    void upsampleNearest() {
        int planes = 3, h = 5, w = 7, sh = 2, sw = 3;
        Tensor x = random(30, -1, 1, planes, h, w);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, planes, h * sh, w * sw);
        K.upsampleNearest(DType.F32, addr(x), y.addr(), planes, h, w, sh, sw);
        float[] xs = x.toFloatArray(), out = y.floats();
        float[] e = new float[out.length];
        for (int p = 0; p < planes; p++) for (int oy = 0; oy < h * sh; oy++) for (int ox = 0; ox < w * sw; ox++) {
            e[(p * h * sh + oy) * w * sw + ox] = xs[(p * h + oy / sh) * w + ox / sw];
        }
        assertArrayEquals(e, out);
    }

    /** torch interpolate(mode='bilinear', align_corners=False, antialias=False), written out. */
    static float[] bilinearRef(float[] x, int planes, int h, int w, int oh, int ow) {
        double[] y = new double[planes * oh * ow];
        double sh = (double) h / oh, sw = (double) w / ow;
        for (int p = 0; p < planes; p++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double sy = Math.max(0, (oy + 0.5) * sh - 0.5), sx = Math.max(0, (ox + 0.5) * sw - 0.5);
            int y0 = Math.min((int) sy, h - 1), x0 = Math.min((int) sx, w - 1);
            int y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
            double ly = sy - y0, lx = sx - x0;
            double v = (1 - ly) * ((1 - lx) * x[(p * h + y0) * w + x0] + lx * x[(p * h + y0) * w + x1])
                    + ly * ((1 - lx) * x[(p * h + y1) * w + x0] + lx * x[(p * h + y1) * w + x1]);
            y[(p * oh + oy) * ow + ox] = v;
        }
        return EmuSupport.toFloats(y);
    }

    @ParameterizedTest(name = "{1}x{2} -> {3}x{4}")
    @CsvSource({"2, 7, 9, 16, 20", "1, 16, 16, 5, 7", "3, 1, 4, 3, 9", "1, 10, 12, 10, 12", "1, 33, 17, 224, 224"})
    void bilinearResize(int planes, int h, int w, int oh, int ow) {
        Tensor x = random(h * 100L + w, -1, 1, planes, h, w);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, planes, oh, ow);
        K.resizeBilinear(DType.F32, addr(x), y.addr(), planes, h, w, oh, ow);
        assertClose("bilinear", bilinearRef(x.toFloatArray(), planes, h, w, oh, ow), y.floats(), 1e-5, 1e-5);
    }

    @Test
    void pixelShuffle() {
        int n = 2, c = 3, r = 2, h = 3, w = 5;
        Tensor x = random(40, -1, 1, n, c * r * r, h, w);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n, c, h * r, w * r);
        K.pixelShuffle(DType.F32, addr(x), y.addr(), n, c, h, w, r);
        float[] xs = x.toFloatArray(), out = y.floats();
        float[] e = new float[out.length];
        for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < r; i++) for (int j = 0; j < r; j++)
            for (int yy = 0; yy < h; yy++) for (int xx = 0; xx < w; xx++) {
                // torch: out[b, ch, yy*r + i, xx*r + j] = in[b, ch*r*r + i*r + j, yy, xx]
                e[((b * c + ch) * h * r + yy * r + i) * w * r + xx * r + j] = xs[((b * c * r * r + ch * r * r + i * r + j) * h + yy) * w + xx];
            }
        assertArrayEquals(e, out);
    }

    @Test
    void refusesBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> K.unary(DType.F32, 9, 0, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> K.copySlice(DType.F32, 0, 0, 1, 5, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> K.resizeBilinear(DType.F32, 0, 0, 1, 4, 4, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.upsampleNearest(DType.F32, 0, 0, 1, 4, 4, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> K.binary(DType.F32, 0, 0, 0, 0, 10, 1, 11));
    }
}
