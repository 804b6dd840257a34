package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D convolution and transposed convolution on contiguous F32 NCHW tensors, with torch semantics.
 *
 * <p>conv2d: 1x1/stride-1/unpadded convs are a plain GEMM on the input; convs with one input channel per group
 * (depthwise, any channel multiplier) run a direct vectorised loop ({@link DepthwiseConv}); everything else is a
 * GEMM per image and group whose B operand is im2col built while packing ({@link Im2colPanel}), so no column
 * buffer exists. convTranspose2d: one such implicit GEMM per stride phase ({@link TransposedConv}), each output
 * element written once.
 */
public final class CpuConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
        par = CpuGemm.usable(par, xd, wdd, bias == null ? null : bias.data());
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
        int cout = Math.multiplyExact(opg, g);
        requireBias("conv_transpose2d", bias, cout);
        int oh = transposedSize(h, kh, p.strideH(), p.padH(), p.dilationH(), p.outputPadH());
        int ow = transposedSize(wd, kw, p.strideW(), p.padW(), p.dilationW(), p.outputPadW());
        Tensor out = Tensor.zeros(nb, cout, oh, ow);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        par = CpuGemm.usable(par, xd, wdd, bias == null ? null : bias.data());
        long outPlane = (long) oh * ow;
        if (bias != null) fillBias(par, od, bias.data(), nb, cout, outPlane);
        TransposedConv.run(par, xd, wdd, od, nb, cin, h, wd, g, opg, kh, kw, oh, ow,
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW());
        return out;
    }

    private static void fillBias(Parallel par, MemorySegment od, MemorySegment bd, int nb, int cout, long plane) {
        par.forRange(nb * cout, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                float v = bd.getAtIndex(F32_LE, r % cout);
                FloatVector bv = FloatVector.broadcast(S, v);
                long base = (long) r * plane * 4, end = base + plane * 4, i = base;
                for (; i + S.vectorByteSize() <= end; i += S.vectorByteSize()) bv.intoMemorySegment(od, i, ByteOrder.LITTLE_ENDIAN);
                for (; i < end; i += 4) od.set(F32_LE, i, v);
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
