package dev.sodec.engine.cpu;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Act;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * 2-D convolution and transposed convolution on contiguous F32 NCHW tensors, with torch semantics, writing into a
 * given output and applying a fused epilogue ({@code act(conv + bias) + residual}).
 *
 * <p>conv2d: 1x1/stride-1/unpadded convs are a plain GEMM on the input; convs with one input channel per group
 * (depthwise, any channel multiplier) run a direct vectorised loop ({@link DepthwiseConv}); everything else is a
 * GEMM per image and group whose B operand is im2col built while packing ({@link Im2colPanel}), so no column
 * buffer exists (wide 3x3 stride-1 convs with a constant weight are run by {@link WinogradConv} instead, chosen when
 * the program is prepared). convTranspose2d: one such implicit GEMM per stride phase ({@link TransposedConv}), each output
 * element written once.
 *
 * <p>Epilogue: without an activation the residual is copied into the output first (nothing to copy when the plan
 * put the output over the residual) and the product accumulates onto it; with one, the activation and then the
 * residual are applied to each finished GEMM tile while it is in cache ({@link CpuEpilogue}), or in one pass after
 * the depthwise and transposed paths.
 */
final class CpuConv {
    private CpuConv() {}

    static void conv2d(Parallel par, Tensor x, Tensor w, Tensor bias, Conv2dParams p, Act act, Tensor residual, Tensor out) {
        int[] xs = x.shape(), ws = w.shape();
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int cout = ws[0], cpg = ws[1], kh = ws[2], kw = ws[3];
        int g = p.groups();
        int oh = out.dim(2), ow = out.dim(3);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        MemorySegment bd = bias == null ? null : bias.data();
        par = CpuGemm.usable(par, xd, wdd, bd, od);
        int opg = cout / g;
        int pixels = Math.multiplyExact(oh, ow);
        boolean depthwise = cpg == 1;
        boolean accumulate = prefill(par, out, depthwise ? null : bias, act == null ? residual : null);
        CpuEpilogue epi = CpuEpilogue.of(act, act == null || residual == null ? null : residual.data());
        if (depthwise) {
            DepthwiseConv.run(par, xd, wdd, bd, od, nb, cin, h, wd, cout, kh, kw, oh, ow, p, accumulate);
            if (epi != null) epi.applyRange(od, 0, out.numel());
            return;
        }
        int kdim = Math.multiplyExact(cpg, kh * kw);
        boolean pointwise = kh == 1 && kw == 1 && p.strideH() == 1 && p.strideW() == 1 && p.padH() == 0 && p.padW() == 0;
        long inPlane = (long) h * wd;
        for (int b = 0; b < nb; b++) {
            for (int gi = 0; gi < g; gi++) {
                long chan0 = ((long) b * cin + (long) gi * cpg) * inPlane;
                Panel a = SegmentPanel.rowMajor(wdd, (long) gi * opg * kdim, kdim);
                Panel src = pointwise
                        ? SegmentPanel.kMajor(xd, chan0, pixels)
                        : new Im2colPanel(xd, chan0, h, wd, kh, kw, p.strideH(), p.strideW(), p.padH(), p.padW(),
                                p.dilationH(), p.dilationW(), ow);
                long cOff = ((long) b * cout + (long) gi * opg) * pixels;
                GemmDriver.run(par, opg, pixels, kdim, a, src, od, cOff, pixels, accumulate, epi);
            }
        }
    }

    static void convTranspose2d(Parallel par, Tensor x, Tensor w, Tensor bias, Conv2dParams p, Act act, Tensor residual,
                                Tensor out) {
        int[] xs = x.shape(), ws = w.shape();
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int g = p.groups();
        int opg = ws[1], kh = ws[2], kw = ws[3];
        int oh = out.dim(2), ow = out.dim(3);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        par = CpuGemm.usable(par, xd, wdd, bias == null ? null : bias.data(), od);
        // the phases accumulate into the output: it must start as bias, residual or zeros
        if (!prefill(par, out, bias, act == null ? residual : null)) od.fill((byte) 0);
        TransposedConv.run(par, xd, wdd, od, nb, cin, h, wd, g, opg, kh, kw, oh, ow,
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW());
        CpuEpilogue epi = CpuEpilogue.of(act, act == null || residual == null ? null : residual.data());
        if (epi != null) epi.applyRange(od, 0, out.numel());
    }

    /**
     * Puts the residual (when given) and the bias (when given) into {@code out} before the product accumulates
     * onto it; returns whether anything was put there (else the product overwrites).
     */
    static boolean prefill(Parallel par, Tensor out, Tensor bias, Tensor residual) {
        MemorySegment od = out.data();
        int nb = out.dim(0), c = out.dim(1);
        long plane = out.numel() / Math.max(1L * nb * c, 1);
        if (residual != null) {
            MemorySegment rd = residual.data();
            if (rd.address() != od.address()) MemorySegment.copy(rd, 0, od, 0, od.byteSize());
            if (bias != null) CpuElementwise.addPerChannel(par, out, bias, out);
            return true;
        }
        if (bias == null) return false;
        CpuElementwise.fillPerChannel(par, od, bias.data(), nb, c, plane);
        return true;
    }
}
