package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.K;
import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The implicit-GEMM conv2d and the fused GDN/IGDN kernels against the CPU backend. */
class ConvGdnKernelTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    @ParameterizedTest(name = "N={0} Cin={1} {2}x{3} Cout={4} k={5}x{6} s={7} p={8} d={9} g={10} bias={11}")
    @CsvSource({
            "1, 3, 13, 11, 5, 3, 3, 1, 1, 1, 1, true",     // tiny: one partial tile in every direction
            "2, 8, 17, 9, 70, 3, 3, 1, 1, 1, 1, true",     // Cout 70: a second, nearly empty channel tile; 153 px
            "1, 6, 20, 23, 12, 5, 5, 2, 2, 1, 1, false",   // the analysis transform's 5x5 / stride 2, no bias
            "1, 4, 15, 15, 6, 3, 3, 1, 2, 2, 2, true",     // dilation 2, two groups
            "1, 6, 9, 10, 6, 3, 3, 1, 1, 1, 6, true",      // depthwise
            "1, 33, 7, 5, 9, 1, 1, 1, 0, 1, 1, true",      // 1x1, K = 33: a partial K step
            "1, 5, 12, 12, 4, 4, 2, 3, 0, 1, 1, true",     // non-square kernel, stride 3, no padding
    })
    void conv2dMatchesCpu(int n, int cin, int h, int w, int cout, int kh, int kw, int s, int p, int d, int g, boolean bias) {
        Conv2dParams cp = Conv2dParams.of(s, p, d, g);
        Tensor x = random(n * 1000L + cin, -1, 1, n, cin, h, w);
        Tensor wt = random(cout * 7L + kh, -0.5f, 0.5f, cout, cin / g, kh, kw);
        Tensor b = bias ? random(cout, -1, 1, cout) : null;
        Tensor expected = CPU.conv2d(x, wt, b, cp);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, expected.shape());
        K.conv2d(DType.F32, addr(x), addr(wt), b == null ? 0 : addr(b), y.addr(), n, cin, h, w, cout, kh, kw, cp);
        assertClose("conv2d", expected.toFloatArray(), y.floats(), 1e-5, 1e-5);
    }

    @ParameterizedTest(name = "N={0} Cin={1} {2}x{3} Cout={4} k={5} s={6} p={7} op={8} d={9} g={10}")
    @CsvSource({
            "1, 6, 5, 7, 4, 5, 2, 2, 1, 1, 1",     // the synthesis transform's 5x5 / stride 2 / output padding 1
            "2, 4, 3, 4, 70, 3, 2, 1, 1, 1, 1",    // Cout 70: partial channel tile
            "1, 5, 6, 5, 3, 3, 1, 1, 0, 1, 1",     // stride 1 (a plain conv with flipped weights)
            "1, 4, 4, 4, 6, 3, 3, 0, 2, 1, 2",     // stride 3, output padding 2, two groups
            "1, 3, 5, 5, 3, 3, 2, 1, 0, 2, 1",     // dilation 2
    })
    void convTranspose2dMatchesCpu(int n, int cin, int h, int w, int cout, int k, int s, int p, int op, int d, int g) {
        Conv2dParams cp = new Conv2dParams(s, s, p, p, d, d, g, op, op);
        Tensor x = random(n * 100L + cin + h, -1, 1, n, cin, h, w);
        Tensor wt = random(cout * 3L + k, -0.5f, 0.5f, cin, cout / g, k, k);
        Tensor b = random(cout + 5L, -1, 1, cout);
        Tensor expected = CPU.convTranspose2d(x, wt, b, cp);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, expected.shape());
        K.convTranspose2d(DType.F32, addr(x), addr(wt), addr(b), y.addr(), n, cin, h, w, cout, k, k, cp);
        assertClose("conv_transpose2d", expected.toFloatArray(), y.floats(), 1e-5, 1e-5);
    }

    @Test
    void conv2dHalfStorage() {
        Conv2dParams cp = Conv2dParams.of(1, 1);
        Tensor x = random(5, -1, 1, 1, 16, 10, 9).toFloatType(DType.F16);
        Tensor wt = random(6, -0.3f, 0.3f, 20, 16, 3, 3).toFloatType(DType.F16);
        Tensor b = random(7, -1, 1, 20).toFloatType(DType.F16);
        Tensor expected = CPU.conv2d(x, wt, b, cp);   // the CPU backend widens the same rounded values
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F16, expected.shape());
        K.conv2d(DType.F16, addr(x), addr(wt), addr(b), y.addr(), 1, 16, 10, 9, 20, 3, 3, cp);
        assertClose("conv2d f16", expected.toFloatArray(), y.floats(), 2e-3, 1e-3);
    }

    @Test
    void conv2dRefusesMismatchedGroups() {
        assertThrows(IllegalArgumentException.class,
                () -> K.conv2d(DType.F32, 0, 0, 0, 0, 1, 6, 8, 8, 5, 3, 3, Conv2dParams.of(1, 1, 1, 2)));
        assertThrows(IllegalArgumentException.class,
                () -> K.conv2d(DType.F32, 0, 0, 0, 0, 1, 6, 2, 2, 6, 5, 5, Conv2dParams.of(1, 0)));
    }

    @ParameterizedTest(name = "N={0} C={1} {2}x{3} inverse={4}")
    @CsvSource({
            "1, 3, 5, 7, false",     // 35 px: one partial pixel tile; C < the 8 channel rows of a block
            "2, 5, 9, 8, true",
            "1, 40, 6, 11, false",   // C not a multiple of the channel rows
            "1, 40, 6, 11, true",
            "1, 400, 3, 7, false",   // C > 384: 16-pixel tiles
    })
    void gdnMatchesCpu(int n, int c, int h, int w, boolean inverse) {
        Tensor x = random(c * 3L + h, -2, 2, n, c, h, w);
        Tensor beta = random(c + 1L, 0.5f, 1.5f, c);
        Tensor gamma = random(c + 2L, 0f, 0.2f, c, c);
        Tensor expected = CPU.gdn(x, beta, gamma, inverse);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n, c, h, w);
        K.gdn(DType.F32, addr(x), y.addr(), addr(beta), addr(gamma), n, c, (long) h * w, inverse);
        assertClose("gdn", expected.toFloatArray(), y.floats(), 1e-5, 1e-5);
    }

    @Test
    void gdnBf16Storage() {
        int c = 24;
        Tensor x = random(1, -2, 2, 1, c, 7, 5).toFloatType(DType.BF16);
        Tensor beta = random(2, 0.5f, 1.5f, c).toFloatType(DType.BF16);
        Tensor gamma = random(3, 0f, 0.2f, c, c).toFloatType(DType.BF16);
        Tensor expected = CPU.gdn(x, beta, gamma, true);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.BF16, 1, c, 7, 5);
        K.gdn(DType.BF16, addr(x), y.addr(), addr(beta), addr(gamma), 1, c, 35, true);
        assertClose("igdn bf16", expected.toFloatArray(), y.floats(), 1e-2, 8e-3);
    }

    @Test
    void gdnRefusesTooManyChannels() {
        assertThrows(IllegalArgumentException.class, () -> K.gdn(DType.F32, 0, 0, 0, 0, 1, CudaKernels.MAX_GDN_CHANNELS + 1, 4, false));
    }
}
