package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * 2-D convolution and transposed convolution on contiguous F32 NCHW tensors, with torch semantics.
 *
 * <p>conv2d: 1x1/stride-1/unpadded convs are a plain GEMM on the input; convs with one input channel per group
 * (depthwise, any channel multiplier) run a direct vectorised loop ({@link DepthwiseConv}); everything else is a
 * GEMM per image and group whose B operand is im2col built while packing ({@link Im2colPanel}), so no column
 * buffer exists. convTranspose2d: GEMM into a bounded column buffer (tiled over input rows), then col2im
 * parallel over output channels, so each output element is written by one thread in a fixed order.
 */
public final class CpuConv {
    /** Column buffer bound for convTranspose2d, in floats (16 MiB). */
    static final long COLS_BUDGET = 4L << 20;

    private CpuConv() {}

    public static Tensor conv2d(Parallel par, Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        int[] xs = x.shape(), ws = w.shape();
        requireF32("conv2d", x, w, bias);
        requireRank4("conv2d", "input", xs);
        requireRank4("conv2d", "weight", ws);
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int cout = ws[0], cpg = ws[1], kh = ws[2], kw = ws[3];
        int g = p.groups();
        if (cin != (long) cpg * g || cout % g != 0 || kh < 1 || kw < 1) {
            throw new IllegalArgumentException("conv2d: input channels " + cin + " do not match weight " + Arrays.toString(ws) + " with groups " + g);
        }
        requireBias("conv2d", bias, cout);
        int oh = outSize("conv2d", h, kh, p.strideH(), p.padH(), p.dilationH());
        int ow = outSize("conv2d", wd, kw, p.strideW(), p.padW(), p.dilationW());
        Tensor out = Tensor.zeros(nb, cout, oh, ow);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        int opg = cout / g;
        int pixels = Math.multiplyExact(oh, ow);
        if (cpg == 1) {
            DepthwiseConv.run(par, xd, wdd, bias == null ? null : bias.data(), od, nb, cin, h, wd, cout, kh, kw, oh, ow, p);
            return out;
        }
        if (bias != null) fillBias(par, od, bias.data(), nb, cout, pixels);
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
                GemmDriver.run(par, opg, pixels, kdim, a, src, od, cOff, pixels, bias != null);
            }
        }
        return out;
    }

    public static Tensor convTranspose2d(Parallel par, Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        int[] xs = x.shape(), ws = w.shape();
        requireF32("conv_transpose2d", x, w, bias);
        requireRank4("conv_transpose2d", "input", xs);
        requireRank4("conv_transpose2d", "weight", ws);
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int g = p.groups();
        int opg = ws[1], kh = ws[2], kw = ws[3];
        if (ws[0] != cin || cin % g != 0 || kh < 1 || kw < 1 || opg < 1) {
            throw new IllegalArgumentException("conv_transpose2d: input channels " + cin + " do not match weight " + Arrays.toString(ws) + " with groups " + g);
        }
        if (p.outputPadH() >= Math.max(p.strideH(), p.dilationH()) || p.outputPadW() >= Math.max(p.strideW(), p.dilationW())) {
            throw new IllegalArgumentException("conv_transpose2d: output padding must be smaller than stride or dilation, got " + p);
        }
        int cout = Math.multiplyExact(opg, g), ipg = cin / g;
        requireBias("conv_transpose2d", bias, cout);
        int oh = transposedSize(h, kh, p.strideH(), p.padH(), p.dilationH(), p.outputPadH());
        int ow = transposedSize(wd, kw, p.strideW(), p.padW(), p.dilationW(), p.outputPadW());
        Tensor out = Tensor.zeros(nb, cout, oh, ow);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        long outPlane = (long) oh * ow, inPlane = (long) h * wd;
        if (bias != null) fillBias(par, od, bias.data(), nb, cout, outPlane);
        int m = Math.multiplyExact(opg, kh * kw); // column rows: (co, ky, kx) of one group
        int tileRows = (int) Math.max(1, Math.min(h, COLS_BUDGET / Math.max(1L, (long) m * wd)));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cols = arena.allocate((long) m * tileRows * wd * 4, 64);
            for (int b = 0; b < nb; b++) {
                for (int gi = 0; gi < g; gi++) {
                    // A = W_g^T: W is stored (cin, opg*kh*kw), so op(A)[row, ci] sits at ci * m + row.
                    Panel a = SegmentPanel.kMajor(wdd, (long) gi * ipg * m, m);
                    for (int iy0 = 0; iy0 < h; iy0 += tileRows) {
                        int rowsHere = Math.min(tileRows, h - iy0), n = rowsHere * wd;
                        long xOff = ((long) b * cin + (long) gi * ipg) * inPlane + (long) iy0 * wd;
                        GemmDriver.run(par, m, n, ipg, a, SegmentPanel.kMajor(xd, xOff, (int) inPlane), cols, 0, n, false);
                        long outBase = ((long) b * cout + (long) gi * opg) * outPlane;
                        int fy0 = iy0;
                        par.forRange(opg, 1, (c0, c1) -> {
                            for (int co = c0; co < c1; co++) {
                                col2im(cols, co, n, fy0, rowsHere, wd, kh, kw, od, outBase + co * outPlane, oh, ow, p);
                            }
                        });
                    }
                }
            }
        }
        return out;
    }

    /** Adds the kh x kw column rows of one output channel into its output plane, taps in order. */
    private static void col2im(MemorySegment cols, int co, int n, int iy0, int rows, int wd, int kh, int kw,
                               MemorySegment od, long plane, int oh, int ow, Conv2dParams p) {
        int sh = p.strideH(), sw = p.strideW(), dh = p.dilationH(), dw = p.dilationW();
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                long colRow = ((long) (co * kh + ky) * kw + kx) * n;
                int oxOff = kx * dw - p.padW();
                // ix range whose output column ix*sw + oxOff lands inside [0, ow)
                int ixLo = Math.max(0, ceilDiv(-oxOff, sw)), ixHi = Math.min(wd, ceilDiv(ow - oxOff, sw));
                for (int r = 0; r < rows; r++) {
                    int oy = (iy0 + r) * sh - p.padH() + ky * dh;
                    if (oy < 0 || oy >= oh) continue;
                    long src = colRow + (long) r * wd;
                    long dst = plane + (long) oy * ow + oxOff;
                    for (int ix = ixLo; ix < ixHi; ix++) {
                        long o = dst + (long) ix * sw;
                        od.setAtIndex(F32_LE, o, od.getAtIndex(F32_LE, o) + cols.getAtIndex(F32_LE, src + ix));
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    private static void fillBias(Parallel par, MemorySegment od, MemorySegment bd, int nb, int cout, long plane) {
        par.forRange(nb * cout, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                float v = bd.getAtIndex(F32_LE, r % cout);
                long base = (long) r * plane;
                for (long i = 0; i < plane; i++) od.setAtIndex(F32_LE, base + i, v);
            }
        });
    }

    private static void requireF32(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.F32) throw new IllegalArgumentException(op + ": expected F32 tensors, got " + t.dtype());
        }
    }

    private static void requireRank4(String op, String what, int[] shape) {
        if (shape.length != 4) throw new IllegalArgumentException(op + ": " + what + " must be 4-D, got " + Arrays.toString(shape));
    }

    private static void requireBias(String op, Tensor bias, int cout) {
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != cout)) {
            throw new IllegalArgumentException(op + ": bias shape " + Arrays.toString(bias.shape()) + " does not match " + cout + " output channels");
        }
    }

    /** torch's output size, computed in long so hostile padding cannot overflow. */
    private static int outSize(String op, int in, int k, int stride, int pad, int dil) {
        long span = (long) dil * (k - 1) + 1;
        long o = ((long) in + 2L * pad - span) / stride + 1;
        if ((long) in + 2L * pad < span || o <= 0 || o > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": output size " + o + " is empty or too large (input " + in + ", kernel " + k
                    + ", stride " + stride + ", padding " + pad + ", dilation " + dil + ")");
        }
        return (int) o;
    }

    private static int transposedSize(int in, int k, int stride, int pad, int dil, int outPad) {
        long o = (long) (in - 1) * stride - 2L * pad + (long) dil * (k - 1) + outPad + 1;
        if (o <= 0 || o > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv_transpose2d: output size " + o + " is empty or too large");
        }
        return (int) o;
    }
}
