package dev.sodec.codec.compression;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;

/**
 * Convolutions with a reduction order fixed by definition, for the tensors that select entropy-coding CDFs
 * (h_s: z_hat -> scales -> CDF indexes). The encoder and the decoder must compute bit-identical scales even when
 * they run on different machines, backends or thread counts, so this path never goes through a backend.
 *
 * <p>Definition, for every output element: {@code acc = bias[co]}, then for {@code ci} ascending, {@code ky}
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

    /** torch conv2d (groups 1, dilation 1); weight (Cout, Cin, k, k). */
    public static Map3 conv2d(Parallel par, Map3 x, Tensor weight, Tensor bias, Conv2dParams p) {
        Tensor w = weight.toF32();
        Tensor b = bias == null ? null : bias.toF32();
        int cout = w.dim(0), cin = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        requireSimple(p, x.c, cin);
        int s = p.strideH(), pad = p.padH();
        int oh = p.outH(x.h, kh), ow = p.outW(x.w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv2d: empty output for input " + x.h + "x" + x.w);
        float[] in = x.data, out = new float[cout * oh * ow];
        int h = x.h, wd = x.w;
        par.forRange(cout * oh, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int co = r / oh, oy = r % oh;
                int o = r * ow;
                float bv = b == null ? 0f : b.getFloat(co);
                for (int ox = 0; ox < ow; ox++) out[o + ox] = bv;
                for (int ci = 0; ci < cin; ci++) {
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * s - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int rowBase = (ci * h + iy) * wd;
                        for (int kx = 0; kx < kw; kx++) {
                            float wv = w.getFloat(((long) (co * cin + ci) * kh + ky) * kw + kx);
                            // ox range with 0 <= ox*s - pad + kx < wd
                            int lo = Math.max(0, ceilDiv(pad - kx, s));
                            int hi = Math.min(ow - 1, Math.floorDiv(wd - 1 + pad - kx, s));
                            int ix = rowBase + lo * s - pad + kx;
                            for (int ox = lo; ox <= hi; ox++, ix += s) out[o + ox] += wv * in[ix];
                        }
                    }
                }
            }
        });
        return new Map3(out, cout, oh, ow);
    }

    /** torch conv_transpose2d (groups 1, dilation 1); weight (Cin, Cout, k, k). */
    public static Map3 convTranspose2d(Parallel par, Map3 x, Tensor weight, Tensor bias, Conv2dParams p) {
        Tensor w = weight.toF32();
        Tensor b = bias == null ? null : bias.toF32();
        int cin = w.dim(0), cout = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        requireSimple(p, x.c, cin);
        int s = p.strideH(), pad = p.padH();
        int oh = p.transposedOutH(x.h, kh), ow = p.transposedOutW(x.w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv_transpose2d: empty output for input " + x.h + "x" + x.w);
        float[] in = x.data, out = new float[cout * oh * ow];
        int h = x.h, wd = x.w;
        par.forRange(cout * oh, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int co = r / oh, oy = r % oh;
                int o = r * ow;
                float bv = b == null ? 0f : b.getFloat(co);
                for (int ox = 0; ox < ow; ox++) out[o + ox] = bv;
                for (int ci = 0; ci < cin; ci++) {
                    for (int ky = 0; ky < kh; ky++) {
                        int ty = oy + pad - ky;
                        if (ty < 0 || ty % s != 0 || ty / s >= h) continue;
                        int rowBase = (ci * h + ty / s) * wd;
                        for (int kx = 0; kx < kw; kx++) {
                            float wv = w.getFloat(((long) (ci * cout + co) * kh + ky) * kw + kx);
                            // output columns ox = ix*s - pad + kx for input columns ix, kept inside [0, ow)
                            int ixLo = Math.max(0, ceilDiv(pad - kx, s));
                            int ixHi = Math.min(wd - 1, Math.floorDiv(ow - 1 + pad - kx, s));
                            int ox = ixLo * s - pad + kx;
                            for (int ix = ixLo; ix <= ixHi; ix++, ox += s) out[o + ox] += wv * in[rowBase + ix];
                        }
                    }
                }
            }
        });
        return new Map3(out, cout, oh, ow);
    }

    /** In place: v for v >= 0, v * slope otherwise (slope 0 is ReLU). */
    public static Map3 leakyRelu(Map3 x, float slope) {
        float[] d = x.data;
        for (int i = 0; i < d.length; i++) if (d[i] < 0) d[i] = slope == 0f ? 0f : d[i] * slope;
        return x;
    }

    private static void requireSimple(Conv2dParams p, int xc, int cin) {
        if (p.groups() != 1 || p.dilationH() != 1 || p.dilationW() != 1 || p.strideH() != p.strideW()
                || p.padH() != p.padW()) {
            throw new IllegalArgumentException("fixed-order convolution supports square stride/padding, groups 1, dilation 1: " + p);
        }
        if (xc != cin) throw new IllegalArgumentException("input has " + xc + " channels, weight expects " + cin);
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
