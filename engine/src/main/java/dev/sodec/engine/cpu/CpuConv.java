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
 * <p>Epilogue: without an activation the residual (and the bias) is put into the output first (nothing to copy when
 * the plan put the output over the residual), on the GEMM path tile by tile just before the product accumulates
 * onto it ({@link CpuTileInit}), elsewhere in a pass ahead; with an activation, the activation and then the
 * residual are applied to each finished GEMM tile while it is in cache ({@link CpuEpilogue}), or in one pass after
 * the depthwise and transposed paths.
 */
final class CpuConv {
    private CpuConv() {}

    /**
     * A conv weight (cout, cin/groups, kh, kw) as the GEMM's A operand, packed per call; a depthwise conv's weight
     * (read directly by {@link DepthwiseConv}) is the panel's segment.
     */
    static Panel weightPanel(Tensor w, int groups) {
        return new WeightPanel(w.data(), w.dim(0) / groups, (int) (w.numel() / w.dim(0)));
    }

    /**
     * Whether an ungrouped conv's GEMM takes the output pixels as its rows and the output channels as its columns
     * (C^T = im2col^T x W^T, then transposed into NCHW) instead of the other way round. With fewer pixels than two
     * column slivers the usual orientation leaves most vector lanes idle (an SD UNet's 4x4 level: 16 of 32 lanes
     * on AVX-512, about 30 GFLOP/s), while the channels fill them. At two slivers (8x8, 64 pixels) the lanes are
     * full either way, but each weight sliver streamed from memory then meets 8 pixel slivers instead of 2: 1280 ->
     * 1280 and 2560 -> 1280 at 8x8 ran 10-12% faster (Zen 4, 2 threads, same-process A/B).
     */
    static boolean pixelRows(int pixels, int cout, int groups) {
        return groups == 1 && pixels <= 2 * GemmDriver.NR && cout >= 2 * GemmDriver.NR;
    }

    /** Workspace of a {@link #pixelRows} conv: one image's transposed output. */
    static long pixelRowsBytes(int pixels, int cout) {
        return (long) pixels * cout * 4;
    }

    /** Rows per packed sliver of an ungrouped conv's weight: the A operand's MR, or B's NR when pixels are rows. */
    static int weightWidth(int pixels, int cout) {
        return pixelRows(pixels, cout, 1) ? GemmDriver.NR : GemmDriver.MR;
    }

    /** out[c][j] (+)= t[j][c] for one image: the pixels-as-rows product back into NCHW. */
    private static void transposeInto(MemorySegment t, int pixels, int cout, MemorySegment out, long outOff,
                                      boolean accumulate) {
        for (int c = 0; c < cout; c++) {
            long o = (outOff + (long) c * pixels) * 4;
            for (int j = 0; j < pixels; j++) {
                float v = t.get(Tensor.F32_LE, ((long) j * cout + c) * 4);
                long at = o + (long) j * 4;
                out.set(Tensor.F32_LE, at, accumulate ? out.get(Tensor.F32_LE, at) + v : v);
            }
        }
    }

    /** The per-call panel of a conv weight: group {@code g}'s rows start {@code g * opg} rows in. */
    record WeightPanel(MemorySegment data, int opg, int kdim) implements Panel {
        Panel group(int g) {
            return SegmentPanel.rowMajor(data, (long) g * opg * kdim, kdim);
        }

        @Override
        public void pack(float[] dst, int off, int width, int r0, int rows, int p0, int kc) {
            group(0).pack(dst, off, width, r0, rows, p0, kc);
        }
    }

    /**
     * @param ws the weight's shape; @param w its panel: a {@link WeightPanel}, or (ungrouped convs) a
     * {@link PackedWeight} of {@link #weightWidth} rows per sliver
     * @param workspace {@link #pixelRowsBytes} for a conv with {@link #pixelRows} true, else unused (may be null)
     */
    static void conv2d(Parallel par, Tensor x, int[] ws, Panel w, Tensor bias, Conv2dParams p, Act act, Tensor residual,
                       Tensor out, MemorySegment workspace) {
        int[] xs = x.shape();
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int cout = ws[0], cpg = ws[1], kh = ws[2], kw = ws[3];
        int g = p.groups();
        int oh = out.dim(2), ow = out.dim(3);
        MemorySegment xd = x.data(), od = out.data();
        MemorySegment wdd = w instanceof WeightPanel wp ? wp.data() : null;
        MemorySegment bd = bias == null ? null : bias.data();
        par = CpuGemm.usable(par, xd, wdd, bd, od);
        int opg = cout / g;
        int pixels = Math.multiplyExact(oh, ow);
        boolean depthwise = cpg == 1;
        Tensor pre = act == null ? residual : null;
        CpuEpilogue epi = CpuEpilogue.of(act, act == null || residual == null ? null : residual.data());
        if (depthwise) {
            boolean accumulate = prefill(par, out, null, pre);
            DepthwiseConv.run(par, xd, wdd, bd, od, nb, cin, h, wd, cout, kh, kw, oh, ow, p, accumulate);
            if (epi != null) epi.applyRange(od, 0, out.numel());
            return;
        }
        if (SmallOutputConv.applies(cout, cpg, pixels, p) && wdd != null) {
            boolean accumulate = prefill(par, out, bias, pre);
            SmallOutputConv.run(par, xd, wdd, od, nb, cin, h, wd, cout, kh, kw, oh, ow, p, accumulate);
            if (epi != null) epi.applyRange(od, 0, out.numel());
            return;
        }
        int kdim = Math.multiplyExact(cpg, kh * kw);
        boolean pointwise = kh == 1 && kw == 1 && p.strideH() == 1 && p.strideW() == 1 && p.padH() == 0 && p.padW() == 0;
        long inPlane = (long) h * wd;
        if (pixelRows(pixels, cout, g)) {
            if (workspace == null || workspace.byteSize() < pixelRowsBytes(pixels, cout)) {
                throw new IllegalStateException("conv2d: the pixels-as-rows GEMM needs a workspace of "
                        + pixelRowsBytes(pixels, cout) + " bytes");
            }
            Panel wt = w instanceof WeightPanel wp ? wp.group(0) : w;
            boolean accumulate = prefill(par, out, bias, pre);
            for (int b = 0; b < nb; b++) {
                long chan0 = (long) b * cin * inPlane;
                Panel src = pointwise
                        ? SegmentPanel.kMajor(xd, chan0, pixels)
                        : new Im2colPanel(xd, chan0, h, wd, kh, kw, p.strideH(), p.strideW(), p.padH(), p.padW(),
                                p.dilationH(), p.dilationW(), ow);
                GemmDriver.run(par, pixels, cout, kdim, src, wt, workspace, 0, cout, false);
                transposeInto(workspace, pixels, cout, od, (long) b * cout * pixels, accumulate);
            }
            if (epi != null) epi.applyRange(od, 0, out.numel());
            return;
        }
        // the bias and the residual go into each tile of the output just before the product accumulates onto it
        CpuTileInit init = CpuTileInit.conv(pre == null ? null : pre.data(), bd, cout, pixels);
        par = CpuGemm.usable(par, residual == null ? null : residual.data());
        for (int b = 0; b < nb; b++) {
            for (int gi = 0; gi < g; gi++) {
                long chan0 = ((long) b * cin + (long) gi * cpg) * inPlane;
                Panel a = w instanceof WeightPanel wp ? wp.group(gi) : w;
                Panel src = pointwise
                        ? SegmentPanel.kMajor(xd, chan0, pixels)
                        : new Im2colPanel(xd, chan0, h, wd, kh, kw, p.strideH(), p.strideW(), p.padH(), p.padW(),
                                p.dilationH(), p.dilationW(), ow);
                long cOff = ((long) b * cout + (long) gi * opg) * pixels;
                GemmDriver.run(par, opg, pixels, kdim, a, src, od, cOff, pixels, false, init, epi);
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
