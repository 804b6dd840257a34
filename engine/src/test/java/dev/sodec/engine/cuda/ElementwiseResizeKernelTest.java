package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.K;
import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Activations, broadcast binary ops, GEGLU, concat, nearest / bilinear resampling and PixelShuffle, against the CPU
 * backend (torch semantics). Sizes are odd so
 * every grid-stride loop ends in a partial block, and large enough (> 4096 blocks x 256) in one case to wrap.
 */
class ElementwiseResizeKernelTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    @ParameterizedTest(name = "op {0}")
    @CsvSource({"0", "1", "2", "4", "5", "6", "7"})
    void unaryActivations(int op) {
        int n = 1001;
        Tensor x = random(op, -9, 9, n);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n);
        float alpha = op == CudaKernels.UNARY_SCALE ? 0.37f : -2.5f, beta = op == CudaKernels.UNARY_SCALE ? -1.25f : 3f;
        K.unary(DType.F32, op, alpha, beta, addr(x), y.addr(), n);
        Tensor e = switch (op) {
            case CudaKernels.UNARY_SILU -> CPU.silu(x);
            case CudaKernels.UNARY_GELU -> CPU.geluErf(x);
            case CudaKernels.UNARY_GELU_TANH -> CPU.geluTanh(x);
            case CudaKernels.UNARY_SCALE -> CPU.scale(x, alpha, beta);
            case CudaKernels.UNARY_CLAMP -> CPU.clamp(x, alpha, beta);
            case CudaKernels.UNARY_QUICK_GELU -> CPU.quickGelu(x);
            default -> x;
        };
        assertClose("unary " + op, e.toFloatArray(), y.floats(), 2e-6, 2e-6);
    }

    @Test
    void leakyReluMatchesCpuBackendOverAWrappingGrid() {
        int n = 4096 * 256 + 333;   // more elements than the capped grid has threads: the stride loop wraps
        Tensor x = random(11, -1, 1, n);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n);
        K.unary(DType.F32, CudaKernels.UNARY_LEAKY_RELU, 0.2f, 0f, addr(x), y.addr(), n);
        assertArrayEquals(CPU.leakyRelu(x, 0.2f).toFloatArray(), y.floats());
    }

    @Test
    void siluF16AndBf16() {
        for (DType t : new DType[] {DType.F16, DType.BF16}) {
            Tensor x = random(12, -6, 6, 257).toFloatType(t);
            EmuSupport.Guarded y = new EmuSupport.Guarded(t, 257);
            K.unary(t, CudaKernels.UNARY_SILU, addr(x), y.addr(), 257);
            double tol = t == DType.F16 ? 1e-3 : 8e-3;
            assertClose("silu " + t, CPU.silu(x).toFloatArray(), y.floats(), tol, tol);
        }
    }

    @Test
    void binaryBroadcasts() {
        int n = 2, c = 5, hw = 13;
        Tensor a = random(1, -1, 1, n, c, hw), ch = random(2, -1, 1, c), same = random(3, -1, 1, n, c, hw);
        float[] as = a.toFloatArray(), cs = ch.toFloatArray();
        EmuSupport.Guarded y1 = new EmuSupport.Guarded(DType.F32, n, c, hw), y2 = new EmuSupport.Guarded(DType.F32, n, c, hw),
                y3 = new EmuSupport.Guarded(DType.F32, n, c, hw);
        int total = n * c * hw;
        K.binary(DType.F32, CudaKernels.BINARY_ADD, addr(a), addr(ch), y1.addr(), total, hw, c);   // per-channel bias
        K.binary(DType.F32, CudaKernels.BINARY_MUL, addr(a), addr(same), y2.addr(), total, 1, total);
        K.binary(DType.F32, CudaKernels.BINARY_SUB, addr(a), addr(ch), y3.addr(), total, 1, c);    // per-feature (last axis 5 = c)
        float[] e3 = new float[total];
        for (int i = 0; i < total; i++) e3[i] = as[i] - cs[i % c];   // the CPU backend has no broadcast subtract
        assertArrayEquals(CPU.addPerChannel(a, ch).toFloatArray(), y1.floats());
        assertArrayEquals(CPU.mul(a, same).toFloatArray(), y2.floats());
        assertArrayEquals(e3, y3.floats());
    }

    @Test
    void gegluSplitsTheLastAxis() {
        int rows = 7, d = 45;
        Tensor x = random(4, -3, 3, rows, 2 * d);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, rows, d);
        K.geglu(DType.F32, addr(x), y.addr(), rows, d);
        assertClose("geglu", CPU.geglu(x).toFloatArray(), y.floats(), 2e-6, 2e-6);
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
        assertArrayEquals(CPU.concat(1, ins).toFloatArray(), y.floats());
    }

    @ParameterizedTest(name = "{1}x{2} -> {3}x{4}")
    @CsvSource({"3, 5, 7, 10, 14", "2, 5, 7, 10, 21", "1, 6, 9, 6, 9", "2, 7, 5, 3, 12", "1, 3, 3, 11, 13"})
    void upsampleNearest(int planes, int h, int w, int oh, int ow) {
        Tensor x = random(30 + h, -1, 1, 1, planes, h, w);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, 1, planes, oh, ow);
        K.upsampleNearest(DType.F32, addr(x), y.addr(), planes, h, w, oh, ow);
        assertArrayEquals(CPU.upsampleNearest(x, oh, ow).toFloatArray(), y.floats());
    }

    @ParameterizedTest(name = "{1}x{2} -> {3}x{4}")
    @CsvSource({"2, 7, 9, 16, 20", "1, 16, 16, 5, 7", "3, 1, 4, 3, 9", "1, 10, 12, 10, 12", "1, 33, 17, 224, 224"})
    void bilinearResize(int planes, int h, int w, int oh, int ow) {
        Tensor x = random(h * 100L + w, -1, 1, 1, planes, h, w);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, 1, planes, oh, ow);
        K.resizeBilinear(DType.F32, addr(x), y.addr(), planes, h, w, oh, ow);
        assertClose("bilinear", CPU.resizeBilinear(x, oh, ow).toFloatArray(), y.floats(), 1e-6, 1e-6);
    }

    @Test
    void pixelShuffle() {
        int n = 2, c = 3, r = 2, h = 3, w = 5;
        Tensor x = random(40, -1, 1, n, c * r * r, h, w);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n, c, h * r, w * r);
        K.pixelShuffle(DType.F32, addr(x), y.addr(), n, c, h, w, r);
        assertArrayEquals(CPU.pixelShuffle(x, r).toFloatArray(), y.floats());
    }

    @ParameterizedTest(name = "rows={0} cols={1} scale={2}")
    @CsvSource({"3, 1, 1", "5, 77, 1", "2, 6144, 0.125", "4, 300, 2.5"})
    void softmaxRows(int rows, int cols, float scale) {
        Tensor x = random(rows * 7L + cols, -6, 6, rows, cols);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, rows, cols);
        K.softmax(DType.F32, addr(x), y.addr(), rows, cols, scale);
        assertClose("softmax", CPU.softmax(CPU.scale(x, scale, 0f)).toFloatArray(), y.floats(), 1e-7, 1e-5);
    }

    @ParameterizedTest(name = "B={0} {1}x{2}")
    @CsvSource({"1, 1, 1", "2, 33, 65", "1, 64, 32", "3, 7, 100"})
    void transposeLastTwoDims(int b, int rows, int cols) {
        for (DType t : new DType[] {DType.F32, DType.BF16}) {
            Tensor x = random(rows * 3L + cols, -1, 1, b, rows, cols).toFloatType(t);
            EmuSupport.Guarded y = new EmuSupport.Guarded(t, b, cols, rows);
            K.transpose(t, addr(x), y.addr(), b, rows, cols);
            assertArrayEquals(CPU.transpose(x).toFloatArray(), y.floats());
        }
    }

    @Test
    void refusesBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> K.unary(DType.F32, 9, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> K.softmax(DType.F32, 0, 0, 1, 4, 0f));
        assertThrows(IllegalArgumentException.class, () -> K.unary(DType.F32, CudaKernels.UNARY_CLAMP, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> K.unary(DType.F32, CudaKernels.UNARY_CLAMP, 2f, 1f, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> K.copySlice(DType.F32, 0, 0, 1, 5, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> K.resizeBilinear(DType.F32, 0, 0, 1, 4, 4, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.upsampleNearest(DType.F32, 0, 0, 1, 4, 4, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> K.binary(DType.F32, 0, 0, 0, 0, 10, 1, 11));
    }
}
