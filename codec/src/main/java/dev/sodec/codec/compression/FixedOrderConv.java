package dev.sodec.codec.compression;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.cpu.VectorApi;
import dev.sodec.engine.tensor.Tensor;

/**
 * Convolutions with a reduction order fixed by definition, for the tensors that select entropy-coding CDFs
 * (CompressAI's h_s: z_hat -> scales -> CDF indexes; OneDC's prior networks through {@link FixedOrderGraph}). The encoder and the decoder must compute bit-identical scales even when
 * they run on different machines, backends or thread counts, so this path never goes through a backend.
 *
 * <p>Definition, for every output element: {@code acc = bias[co]}, then for {@code ci} ascending (the channels of
 * co's group), {@code ky}
 * ascending, {@code kx} ascending, over the taps that hit the input, {@code acc = acc + x * w} in float32 with
 * the product rounded before the add (Java never fuses {@code a * b + c}). Work is split over output rows only;
 * the inner loops run over output columns, each of which keeps its own accumulator, so the order per element is
 * the one above whatever the thread count.
 *
 * <p>Inputs are single images (C, H, W) in a plain float array; weights are the checkpoint tensors.
 */
public final class FixedOrderConv {
    private FixedOrderConv() {}

    /** An activation: channels x height x width, row-major. */
    public record Map3(float[] data, int c, int h, int w) {
        public Map3 {
            if ((long) c * h * w != data.length) throw new IllegalArgumentException("map3: " + data.length + " values for " + c + "x" + h + "x" + w);
        }

        public static Map3 of(Tensor t) {
            if (t.rank() != 4 || t.dim(0) != 1) throw new IllegalArgumentException("expected a (1, C, H, W) tensor, got " + t);
            return new Map3(t.toFloatArray(), t.dim(1), t.dim(2), t.dim(3));
        }

        public Tensor toTensor() {
            return Tensor.fromFloats(data, 1, c, h, w);
        }
    }

    /** Output channels computed together: each input value loaded once serves this many accumulators. */
    static final int CB = 4;
    /** Vector API lanes when it is enabled ({@link FixedOrderVectors}, loaded only then), else plain loops. */
    private static final boolean VECTORS = VectorApi.enabled();

    /** torch conv2d (dilation 1, square stride and padding); weight (Cout, Cin/groups, k, k). */
    public static Map3 conv2d(Parallel par, Map3 x, Tensor weight, Tensor bias, Conv2dParams p) {
        return conv2d(par, x, weight.toFloatArray(), weight.shape(), bias == null ? null : bias.toFloatArray(), p);
    }

    /**
     * {@link #conv2d(Parallel, Map3, Tensor, Tensor, Conv2dParams)} with the weights as arrays (callers that run
     * the same layer often convert them once). Grouped: output channel co reads the input channels of its group
     * only, in ascending order. A 1x1 convolution with stride 1 and no padding treats each plane as one row (the
     * same order per element, fewer and longer rows).
     *
     * @param wShape (Cout, Cin/groups, kH, kW)
     * @param b the bias (Cout) or null
     */
    public static Map3 conv2d(Parallel par, Map3 x, float[] w, int[] wShape, float[] b, Conv2dParams p) {
        int cout = wShape[0], cinG = wShape[1], kh = wShape[2], kw = wShape[3];
        int groups = p.groups();
        requireSimple(p);
        if (cout % groups != 0 || (long) cinG * groups != x.c) {
            throw new IllegalArgumentException("input has " + x.c + " channels, weight " + java.util.Arrays.toString(wShape) + " with " + groups + " groups expects " + (long) cinG * groups);
        }
        if (b == null) b = new float[cout];
        int s = p.strideH(), pad = p.padH();
        if (kh == 1 && kw == 1 && s == 1 && pad == 0 && x.h > 1) {
            Map3 flat = conv2d(par, new Map3(x.data, x.c, 1, x.h * x.w), w, wShape, b, p);
            return new Map3(flat.data, cout, x.h, x.w);
        }
        int oh = p.outH(x.h, kh), ow = p.outW(x.w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv2d: empty output for input " + x.h + "x" + x.w);
        float[] in = x.data, out = new float[cout * oh * ow], bias = b;
        int h = x.h, wd = x.w;
        int coutG = cout / groups, blocksPerGroup = (coutG + CB - 1) / CB;
        par.forRange(groups * blocksPerGroup * oh, 1, (r0, r1) -> {
            float[][] acc = new float[CB][ow];
            float[] gathered = new float[ow];
            for (int r = r0; r < r1; r++) {
                int blk = r / oh, oy = r % oh, grp = blk / blocksPerGroup;
                int coInGroup = (blk % blocksPerGroup) * CB, co0 = grp * coutG + coInGroup, nb = Math.min(CB, coutG - coInGroup);
                for (int j = 0; j < nb; j++) java.util.Arrays.fill(acc[j], bias[co0 + j]);
                for (int cil = 0; cil < cinG; cil++) {
                    int ci = grp * cinG + cil;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * s - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int rowBase = (ci * h + iy) * wd;
                        for (int kx = 0; kx < kw; kx++) {
                            // output columns with 0 <= ox*s - pad + kx < wd
                            int lo = Math.max(0, ceilDiv(pad - kx, s));
                            int hi = Math.min(ow - 1, Math.floorDiv(wd - 1 + pad - kx, s));
                            if (hi < lo) continue;
                            int first = rowBase + lo * s - pad + kx;
                            float[] src;
                            int srcOff;
                            if (s == 1) {
                                src = in;
                                srcOff = first - lo;
                            } else {
                                for (int ox = lo, ix = first; ox <= hi; ox++, ix += s) gathered[ox] = in[ix];
                                src = gathered;
                                srcOff = 0;
                            }
                            int wBase = (cil * kh + ky) * kw + kx, wStride = cinG * kh * kw;
                            accumulate(acc, nb, w, co0 * wStride + wBase, wStride, src, srcOff, lo, hi + 1);
                        }
                    }
                }
                for (int j = 0; j < nb; j++) System.arraycopy(acc[j], 0, out, ((co0 + j) * oh + oy) * ow, ow);
            }
        });
        return new Map3(out, cout, oh, ow);
    }

    /**
     * torch conv_transpose2d (groups 1, dilation 1); weight (Cin, Cout, k, k). Output column ox = ix*s - pad + kx
     * belongs to phase {@code ox mod s}; per phase the columns fed by one tap are contiguous, so each phase has its
     * own accumulator row, interleaved into the output at the end.
     */
    public static Map3 convTranspose2d(Parallel par, Map3 x, Tensor weight, Tensor bias, Conv2dParams p) {
        int cin = weight.dim(0), cout = weight.dim(1), kh = weight.dim(2), kw = weight.dim(3);
        requireSimple(p);
        if (p.groups() != 1) throw new IllegalArgumentException("fixed-order transposed convolution supports groups 1: " + p);
        if (x.c != cin) throw new IllegalArgumentException("input has " + x.c + " channels, weight expects " + cin);
        float[] w = weight.toFloatArray();
        float[] b = bias == null ? new float[cout] : bias.toFloatArray();
        int s = p.strideH(), pad = p.padH();
        int oh = p.transposedOutH(x.h, kh), ow = p.transposedOutW(x.w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv_transpose2d: empty output for input " + x.h + "x" + x.w);
        float[] in = x.data, out = new float[cout * oh * ow];
        int h = x.h, wd = x.w;
        int qn = (ow + s - 1) / s; // columns per phase (the last phase may use fewer)
        int blocks = (cout + CB - 1) / CB;
        par.forRange(blocks * oh, 1, (r0, r1) -> {
            float[][][] acc = new float[s][CB][qn];
            for (int r = r0; r < r1; r++) {
                int co0 = (r / oh) * CB, oy = r % oh, nb = Math.min(CB, cout - co0);
                for (int ph = 0; ph < s; ph++) for (int j = 0; j < nb; j++) java.util.Arrays.fill(acc[ph][j], b[co0 + j]);
                for (int ci = 0; ci < cin; ci++) {
                    for (int ky = 0; ky < kh; ky++) {
                        int ty = oy + pad - ky;
                        if (ty < 0 || ty % s != 0 || ty / s >= h) continue;
                        int rowBase = (ci * h + ty / s) * wd;
                        for (int kx = 0; kx < kw; kx++) {
                            int ph = Math.floorMod(kx - pad, s), shift = Math.floorDiv(kx - pad, s);
                            // ox = (ix + shift) * s + ph must lie in [0, ow): q = ix + shift in [0, qPh)
                            int qPh = (ow - ph + s - 1) / s;
                            int ixLo = Math.max(0, -shift), ixHi = Math.min(wd - 1, qPh - 1 - shift);
                            if (ixHi < ixLo) continue;
                            int wStride = kh * kw, wBase = (ci * cout + co0) * wStride + ky * kw + kx;
                            accumulate(acc[ph], nb, w, wBase, wStride, in, rowBase - shift, ixLo + shift, ixHi + shift + 1);
                        }
                    }
                }
                for (int j = 0; j < nb; j++) {
                    int o = ((co0 + j) * oh + oy) * ow;
                    for (int ph = 0; ph < s; ph++) {
                        float[] a = acc[ph][j];
                        for (int q = 0, ox = ph; ox < ow; q++, ox += s) out[o + ox] = a[q];
                    }
                }
            }
        });
        return new Map3(out, cout, oh, ow);
    }

    /**
     * acc[j][i] = acc[j][i] + w[wOff + j*wStride] * src[srcOff + i] for j < nb, i in [from, to): a multiply
     * rounded to float then an add, which {@link FixedOrderVectors} computes lane by lane: the same bits.
     */
    private static void accumulate(float[][] acc, int nb, float[] w, int wOff, int wStride, float[] src, int srcOff,
                                   int from, int to) {
        // Rows shorter than a vector take the plain loop, which the vector method would run anyway after its setup:
        // h_s's rows are that short on small images, where this runs a million times before the JIT has compiled it.
        if (VECTORS && to - from >= FixedOrderVectors.LANES) {
            FixedOrderVectors.accumulate(acc, nb, w, wOff, wStride, src, srcOff, from, to);
            return;
        }
        for (int j = 0; j < nb; j++) {
            float wj = w[wOff + j * wStride];
            float[] a = acc[j];
            for (int k = from; k < to; k++) a[k] += wj * src[srcOff + k];
        }
    }

    /** In place: v for v >= 0, v * slope otherwise (slope 0 is ReLU). */
    public static Map3 leakyRelu(Map3 x, float slope) {
        float[] d = x.data;
        for (int i = 0; i < d.length; i++) if (d[i] < 0) d[i] = slope == 0f ? 0f : d[i] * slope;
        return x;
    }

    private static void requireSimple(Conv2dParams p) {
        if (p.dilationH() != 1 || p.dilationW() != 1 || p.strideH() != p.strideW() || p.padH() != p.padW()) {
            throw new IllegalArgumentException("fixed-order convolution supports square stride/padding, dilation 1: " + p);
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
