package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/** 2-D convolution and transposed convolution on F32 NCHW tensors. */
public final class CpuConv {
    private CpuConv() {}

    public static Tensor conv2d(Parallel par, Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        int[] xs = x.shape(), ws = w.shape();
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int cout = ws[0], cpg = ws[1], kh = ws[2], kw = ws[3];
        int g = p.groups();
        if (cin != cpg * g || cout % g != 0) {
            throw new IllegalArgumentException("conv2d: input channels " + cin + " do not match weight " + java.util.Arrays.toString(ws) + " with groups " + g);
        }
        int oh = p.outH(h, kh), ow = p.outW(wd, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv2d: output size " + oh + "x" + ow + " is empty");
        Tensor out = Tensor.zeros(nb, cout, oh, ow);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        MemorySegment bd = bias == null ? null : bias.data();
        int opg = cout / g;
        // Reference direct convolution; replaced by the tiled/im2col kernel.
        par.forRange(nb * cout, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / cout, co = r % cout, gi = co / opg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float s = bd == null ? 0f : bd.getAtIndex(F32_LE, co);
                        for (int ci = 0; ci < cpg; ci++) {
                            long xBase = ((long) b * cin + gi * cpg + ci) * h * wd;
                            long wBase = ((long) co * cpg + ci) * kh * kw;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * p.strideH() - p.padH() + ky * p.dilationH();
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * p.strideW() - p.padW() + kx * p.dilationW();
                                    if (ix < 0 || ix >= wd) continue;
                                    s += xd.getAtIndex(F32_LE, xBase + (long) iy * wd + ix) * wdd.getAtIndex(F32_LE, wBase + ky * kw + kx);
                                }
                            }
                        }
                        od.setAtIndex(F32_LE, (((long) b * cout + co) * oh + oy) * ow + ox, s);
                    }
                }
            }
        });
        return out;
    }

    public static Tensor convTranspose2d(Parallel par, Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        int[] xs = x.shape(), ws = w.shape();
        int nb = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
        int g = p.groups();
        int opg = ws[1], kh = ws[2], kw = ws[3], cout = opg * g, ipg = cin / g;
        if (ws[0] != cin || cin % g != 0) {
            throw new IllegalArgumentException("conv_transpose2d: input channels " + cin + " do not match weight " + java.util.Arrays.toString(ws));
        }
        int oh = p.transposedOutH(h, kh), ow = p.transposedOutW(wd, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv_transpose2d: output size " + oh + "x" + ow + " is empty");
        Tensor out = Tensor.zeros(nb, cout, oh, ow);
        MemorySegment xd = x.data(), wdd = w.data(), od = out.data();
        MemorySegment bd = bias == null ? null : bias.data();
        // Gather form (one output element at a time) so each output is written by exactly one thread.
        par.forRange(nb * cout, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / cout, co = r % cout, gi = co / opg, col = co % opg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float s = bd == null ? 0f : bd.getAtIndex(F32_LE, co);
                        for (int ky = 0; ky < kh; ky++) {
                            int ty = oy + p.padH() - ky * p.dilationH();
                            if (ty < 0 || ty % p.strideH() != 0) continue;
                            int iy = ty / p.strideH();
                            if (iy >= h) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int tx = ox + p.padW() - kx * p.dilationW();
                                if (tx < 0 || tx % p.strideW() != 0) continue;
                                int ix = tx / p.strideW();
                                if (ix >= wd) continue;
                                for (int ci = 0; ci < ipg; ci++) {
                                    int cii = gi * ipg + ci;
                                    s += xd.getAtIndex(F32_LE, (((long) b * cin + cii) * h + iy) * wd + ix)
                                            * wdd.getAtIndex(F32_LE, (((long) cii * opg + col) * kh + ky) * kw + kx);
                                }
                            }
                        }
                        od.setAtIndex(F32_LE, (((long) b * cout + co) * oh + oy) * ow + ox, s);
                    }
                }
            }
        });
        return out;
    }
}
