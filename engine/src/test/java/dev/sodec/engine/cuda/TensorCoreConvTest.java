package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.TcSupport.TC;
import static dev.sodec.engine.cuda.TcSupport.check;
import static dev.sodec.engine.cuda.TcSupport.scratch;
import static dev.sodec.engine.cuda.TcSupport.stored;
import static dev.sodec.engine.cuda.TcSupport.unitRoundoff;
import static dev.sodec.engine.cuda.TcSupport.view;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tensor-core implicit-GEMM convolutions (tc_conv.cu) against the CPU backend: NCHW activations transposed to
 * NHWC by {@link TensorCoreKernels#nchwToNhwc}, weights packed by the pack kernels, every epilogue (bias,
 * activations, residual, output scale), NCHW and NHWC outputs, F16 and BF16. Shapes leave partial tiles in every
 * direction: pixel counts not multiples of 128, Cout not a multiple of 64 (or of 8), Cin not a multiple of the
 * 32-channel K step, strides, dilation, non-square kernels; transposed convolutions with kernels 3/4/5 at stride
 * 1/2/3 (incl. a phase with no taps: kernel 2 at stride 3) and output padding.
 *
 * <p>Tolerance: the CPU computes in F32 from the same stored (rounded) inputs; the kernel accumulates in F32 and
 * rounds once to the storage type, so |y - ref| <= u |ref| + atol with u the unit roundoff (2^-11 F16, 2^-8 BF16)
 * and atol = 1e-4 for the different F32 summation order (K <= 600 products of magnitude <= 0.5).
 */
class TensorCoreConvTest {
    private static final CpuBackend CPU = new CpuBackend(2);
    private static final double ATOL = 1e-4;

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Tensor nhwc(Tensor nchw) {
        return nchw.permute(0, 2, 3, 1).contiguous();
    }

    private static void run(DType t, boolean transposed, int n, int cin, int h, int w, int cout, int kh, int kw,
                            Conv2dParams p, String act, boolean bias, boolean residual, boolean outNhwc) {
        long seed = 1000L * cin + 31L * cout + 7L * kh + h;
        Tensor x = stored(t, seed, -1, 1, n, cin, h, w);
        Tensor wt = transposed ? stored(t, seed + 1, -0.5f, 0.5f, cin, cout, kh, kw) : stored(t, seed + 1, -0.5f, 0.5f, cout, cin, kh, kw);
        Tensor b = bias ? stored(t, seed + 2, -1, 1, cout) : null;
        Tensor acc = transposed ? CPU.convTranspose2d(x.toF32(), wt.toF32(), b == null ? null : b.toF32(), p)
                : CPU.conv2d(x.toF32(), wt.toF32(), b == null ? null : b.toF32(), p);
        int[] os = acc.shape();
        Tensor res = residual ? stored(t, seed + 3, -1, 1, os) : null;
        TensorCoreEpilogue e = TcSupport.epilogue(act);
        if (act.equals("silu") && residual) e = e.withOutScale(0.5f);
        Tensor expected = TcSupport.epilogue(CPU, acc, e, res == null ? null : res.toF32());
        if (outNhwc) expected = nhwc(expected);
        Tensor resDev = res == null ? null : outNhwc ? nhwc(res) : res;
        if (resDev != null) e = e.withResidual(addr(resDev));
        try (Arena arena = Arena.ofConfined()) {
            long xn = scratch(arena, x.byteSize()), packed = scratch(arena, wt.byteSize());
            TC.nchwToNhwc(t, addr(x), xn, n, cin, h, w);
            if (transposed) TC.packConvTranspose2dWeight(t, addr(wt), packed, cin, cout, kh, kw, p);
            else TC.packConv2dWeight(t, addr(wt), packed, cout, cin, kh, kw);
            EmuSupport.Guarded y = new EmuSupport.Guarded(t, outNhwc ? new int[] {os[0], os[2], os[3], os[1]} : os);
            if (transposed) TC.convTranspose2d(t, xn, packed, b == null ? 0 : addr(b), y.addr(), outNhwc, n, cin, h, w, cout, kh, kw, p, e);
            else TC.conv2d(t, xn, packed, b == null ? 0 : addr(b), y.addr(), outNhwc, n, cin, h, w, cout, kh, kw, p, e);
            String what = (transposed ? "convT " : "conv ") + t + " n" + n + " c" + cin + " " + h + "x" + w + " o" + cout + " k"
                    + kh + "x" + kw + " s" + p.strideH() + "," + p.strideW() + " " + act + (residual ? "+res" : "") + (outNhwc ? " nhwc" : "");
            check(what, expected.toFloatArray(), y.floats(), ATOL, unitRoundoff(t));
        }
    }

    @ParameterizedTest(name = "{0} N={1} Cin={2} {3}x{4} Cout={5} k={6}x{7} s={8},{9} p={10},{11} d={12} {13} bias={14} res={15} nhwc={16}")
    @CsvSource({
            "F16,  2, 16,  9, 11, 24, 3, 3, 1, 1, 1, 1, 1, silu,       true,  false, false",  // 198 px: 2 pixel tiles
            "BF16, 1, 40, 13, 10, 70, 3, 3, 2, 2, 1, 1, 1, none,       true,  true,  false",  // Cin 40: 32 + 8; Cout 70
            "F16,  3,  8,  7,  5,  8, 1, 1, 1, 1, 0, 0, 1, gelu,       false, false, true",   // 1x1, NHWC out
            "BF16, 1,  8, 17, 15, 16, 5, 5, 2, 2, 2, 2, 1, leaky,      true,  false, false",  // g_a's 5x5 / 2
            "F16,  1, 24,  9,  9, 33, 3, 3, 1, 1, 2, 2, 2, silu,       true,  true,  true",   // dilation 2, Cout 33
            "BF16, 1, 16, 10,  9, 12, 4, 2, 2, 3, 1, 0, 1, gelu_tanh,  true,  false, false",  // non-square, strides 2/3
            "F16,  1, 64,  6,  7, 130, 3, 3, 1, 1, 1, 1, 1, quick_gelu, true, false, false",  // Cout 130: 3 channel tiles
    })
    void conv2dMatchesCpu(DType t, int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw,
                          int d, String act, boolean bias, boolean residual, boolean outNhwc) {
        Conv2dParams p = new Conv2dParams(sh, sw, ph, pw, d, d, 1, 0, 0);
        run(t, false, n, cin, h, w, cout, kh, kw, p, act, bias, residual, outNhwc);
    }

    @ParameterizedTest(name = "{0} N={1} Cin={2} {3}x{4} Cout={5} k={6} s={7} p={8} op={9} {10} bias={11} res={12} nhwc={13}")
    @CsvSource({
            "F16,  1, 16, 5, 7, 12, 5, 2, 2, 1, leaky, true,  false, false",   // SODEC h_s / g_s: 5x5 / 2, output padding 1
            "BF16, 2,  8, 6, 5, 20, 4, 2, 1, 0, none,  true,  true,  true",    // 4x4 / 2 (kernel 4), residual, NHWC
            "BF16, 1,  8, 6, 7,  8, 3, 1, 1, 0, silu,  false, false, false",   // stride 1: one phase, flipped taps
            "F16,  1,  8, 4, 5,  9, 2, 3, 0, 2, gelu,  true,  false, false",   // kernel 2 < stride 3: a phase with no taps
            "F16,  1, 24, 4, 3, 66, 3, 2, 1, 1, none,  true,  false, true",    // Cout 66, Cin 24
    })
    void convTranspose2dMatchesCpu(DType t, int n, int cin, int h, int w, int cout, int k, int s, int pad, int op, String act,
                                   boolean bias, boolean residual, boolean outNhwc) {
        run(t, true, n, cin, h, w, cout, k, k, Conv2dParams.transposed(s, pad, op), act, bias, residual, outNhwc);
    }

    @Test
    void predicatesRefuseWhatTheKernelsDoNotHandle() {
        Conv2dParams p = Conv2dParams.of(1, 1);
        assertNull(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 8, 8, 8, 8, 3, 3, p));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 4, 8, 8, 8, 3, 3, p).contains("% 8"));   // VAE conv_in
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 3, 8, 8, 8, 5, 5, Conv2dParams.of(2, 2)).contains("% 8"));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.BF16, 1, 16, 8, 8, 16, 3, 3, Conv2dParams.of(1, 1, 1, 16)).contains("groups"));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F32, 1, 16, 8, 8, 16, 3, 3, p).contains("F16 or BF16"));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 16, 2, 2, 16, 5, 5, Conv2dParams.of(1, 0)).contains("empty"));
        assertFalse(TensorCoreKernels.supportsConvTranspose2d(DType.F16, 1, 16, 4, 4, 16, 3, 3,
                new Conv2dParams(2, 2, 1, 1, 2, 2, 1, 0, 0)));   // dilated transposed
        assertTrue(TensorCoreKernels.supportsConvTranspose2d(DType.BF16, 1, 16, 4, 4, 16, 5, 5, Conv2dParams.transposed(2, 2, 1)));
        // the launch re-checks and says why
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TC.conv2d(DType.F16, 0, 0, 0, 0, false, 1, 12, 8, 8, 8, 3, 3, p, TensorCoreEpilogue.NONE));
        assertTrue(e.getMessage().contains("% 8"), e.getMessage());
        // misaligned operands are refused before the launch
        Tensor x = stored(DType.F16, 1, -1, 1, 1, 8, 4, 4), wt = stored(DType.F16, 2, -1, 1, 8, 8, 1, 1);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F16, 1, 8, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> TC.conv2d(DType.F16, addr(x) + 2, addr(wt), 0, y.addr(), false,
                1, 8, 4, 4, 8, 1, 1, Conv2dParams.of(1, 0), TensorCoreEpilogue.NONE));
    }

    @Test
    void nhwcTransposeIsExact() {
        Tensor x = stored(DType.BF16, 5, -3, 3, 2, 16, 3, 5);
        try (Arena arena = Arena.ofConfined()) {
            long y = scratch(arena, x.byteSize());
            TC.nchwToNhwc(DType.BF16, addr(x), y, 2, 16, 3, 5);
            check("nchw->nhwc bf16", nhwc(x).toFloatArray(), view(y, DType.BF16, 2, 3, 5, 16).toFloatArray(), 0, 0);
        }
    }
}
