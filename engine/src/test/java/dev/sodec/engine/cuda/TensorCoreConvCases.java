package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.TcSupport.check;
import static dev.sodec.engine.cuda.TcSupport.stored;
import static dev.sodec.engine.cuda.TcSupport.unitRoundoff;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cases of the tensor-core implicit-GEMM convolutions (tc_conv.cu) against the CPU backend, run on the emulator by
 * TensorCoreConvTest and on a GPU by TensorCoreGpuTest: NCHW activations transposed to NHWC by
 * {@link TensorCoreKernels#nchwToNhwc}, weights packed by the pack kernels, every epilogue (bias, activations,
 * residual, output scale), NCHW and NHWC outputs, F16 and BF16. Shapes leave partial tiles in every
 * direction: pixel counts not multiples of 128, Cout not a multiple of 64 (or of 8), Cin not a multiple of the
 * 32-channel K step, strides, dilation, non-square kernels; transposed convolutions with kernels 3/4/5 at stride
 * 1/2/3 (incl. a phase with no taps: kernel 2 at stride 3) and output padding.
 *
 * <p>Tolerance: the CPU computes in F32 from the same stored (rounded) inputs; the kernel accumulates in F32 and
 * rounds once to the storage type, so |y - ref| <= u |ref| + atol with u the unit roundoff (2^-11 F16, 2^-8 BF16)
 * and atol = 1e-4 for the different F32 summation order (K <= 600 products of magnitude <= 0.5).
 */
abstract class TensorCoreConvCases extends TcCases {
    private static final double ATOL = 1e-4;

    static Tensor nhwc(Tensor nchw) {
        return nchw.permute(0, 2, 3, 1).contiguous();
    }

    private void run(DType t, boolean transposed, int n, int cin, int h, int w, int cout, int kh, int kw, Conv2dParams p,
                     String act, boolean bias, boolean residual, boolean outNhwc) {
        long seed = 1000L * cin + 31L * cout + 7L * kh + h;
        Tensor x = stored(t, seed, -1, 1, n, cin, h, w);
        Tensor wt = transposed ? stored(t, seed + 1, -0.5f, 0.5f, cin, cout, kh, kw) : stored(t, seed + 1, -0.5f, 0.5f, cout, cin, kh, kw);
        Tensor b = bias ? stored(t, seed + 2, -1, 1, cout) : null;
        Tensor acc = transposed ? cpu.convTranspose2d(x.toF32(), wt.toF32(), b == null ? null : b.toF32(), p)
                : cpu.conv2d(x.toF32(), wt.toF32(), b == null ? null : b.toF32(), p);
        int[] os = acc.shape();
        Tensor res = residual ? stored(t, seed + 3, -1, 1, os) : null;
        TensorCoreEpilogue e = TcSupport.epilogue(act);
        if (act.equals("silu") && residual) e = e.withOutScale(0.5f);
        Tensor expected = TcSupport.epilogue(cpu, acc, e, res == null ? null : res.toF32());
        if (outNhwc) expected = nhwc(expected);
        Tensor resDev = res == null ? null : outNhwc ? nhwc(res) : res;
        if (resDev != null) e = e.withResidual(dev.put(resDev));
        long xn = dev.alloc(x.byteSize()), packed = dev.alloc(wt.byteSize());
        long xd = dev.put(x), wd = dev.put(wt), bd = b == null ? 0 : dev.put(b);
        dev.tc.nchwToNhwc(t, xd, xn, n, cin, h, w);
        if (transposed) dev.tc.packConvTranspose2dWeight(t, wd, packed, cin, cout, kh, kw, p);
        else dev.tc.packConv2dWeight(t, wd, packed, cout, cin, kh, kw);
        TcDevice.Out y = dev.out(t, outNhwc ? new int[] {os[0], os[2], os[3], os[1]} : os);
        if (transposed) dev.tc.convTranspose2d(t, xn, packed, bd, y.address, outNhwc, n, cin, h, w, cout, kh, kw, p, e);
        else dev.tc.conv2d(t, xn, packed, bd, y.address, outNhwc, n, cin, h, w, cout, kh, kw, p, e);
        String what = (dev.emulated ? "" : "gpu ") + (transposed ? "convT " : "conv ") + t + " n" + n + " c" + cin + " " + h
                + "x" + w + " o" + cout + " k" + kh + "x" + kw + " s" + p.strideH() + "," + p.strideW() + " " + act
                + (residual ? "+res" : "") + (outNhwc ? " nhwc" : "");
        check(what, expected.toFloatArray(), y.floats(), ATOL, unitRoundoff(t));
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

    @ParameterizedTest(name = "{0} N={1} C={2} G={3} {4}x{5} silu={6}")
    @CsvSource({
            "F16,  2, 40, 8,  7,  9, true",    // C 40: a partial 32-channel tile; 63 px: partial pixel tiles
            "BF16, 1, 32, 2, 33, 35, false",   // groups of 18480 elements: two statistics chunks per group
    })
    void groupNormToNhwcMatchesCpu(DType t, int n, int c, int groups, int h, int w, boolean silu) {
        Tensor x = stored(t, 11L * c + h, -2, 3, n, c, h, w);
        Tensor gamma = stored(t, 12, 0.5f, 1.5f, c), beta = stored(t, 13, -0.5f, 0.5f, c);
        Tensor expected = nhwc(cpu.groupNorm(x.toF32(), groups, gamma.toF32(), beta.toF32(), 1e-5f, silu));
        long ws = dev.alloc(TensorCoreKernels.groupNormToNhwcWorkspaceBytes(n, c, groups, (long) h * w));
        TcDevice.Out y = dev.out(t, n, h, w, c);
        dev.tc.groupNormToNhwc(t, dev.put(x), y.address, dev.put(gamma), dev.put(beta), ws, n, c, groups, (long) h * w, 1e-5f, silu);
        // F32 statistics in another summation order than the CPU's, then one rounding to the storage type
        check((dev.emulated ? "" : "gpu ") + "group norm -> nhwc " + t + " c" + c + " g" + groups + " " + h + "x" + w
                + (silu ? " silu" : ""), expected.toFloatArray(), y.floats(), 1e-4, unitRoundoff(t));
    }

    @Test
    void nhwcTransposeIsExact() {
        Tensor x = stored(DType.BF16, 5, -3, 3, 2, 16, 3, 5);
        TcDevice.Out y = dev.out(DType.BF16, 2, 3, 5, 16);
        dev.tc.nchwToNhwc(DType.BF16, dev.put(x), y.address, 2, 16, 3, 5);
        check("nchw->nhwc bf16", nhwc(x).toFloatArray(), y.floats(), 0, 0);
    }
}
