package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Conv2dParams;
import java.lang.foreign.MemorySegment;

/**
 * Convolution with one input channel per group (depthwise, any channel multiplier): output channel co reads
 * input channel co / (cout / cin). Each output plane is one work item: its input channel is copied once into a
 * zero-padded float[] so the tap loops need no bounds checks, then every output row accumulates
 * bias + sum over taps (ky, kx in order) of w * x (fused), vectorised along the row for stride 1
 * ({@link CpuLoops#depthwiseRow}).
 */
final class DepthwiseConv {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    private DepthwiseConv() {}

    /** @param accumulate add the result to what {@code od} holds (a residual) instead of overwriting it */
    static void run(Parallel par, MemorySegment xd, MemorySegment wd, MemorySegment bd, MemorySegment od,
                    int nb, int cin, int h, int w, int cout, int kh, int kw, int oh, int ow, Conv2dParams p,
                    boolean accumulate) {
        int sh = p.strideH(), sw = p.strideW(), ph = p.padH(), pw = p.padW(), dh = p.dilationH(), dw = p.dilationW();
        int mult = cout / cin;
        int owVec = GemmDriver.roundUp(ow, LOOPS.lanes());
        // Padded plane: every index the tap loops touch (vector overrun along the row included) is inside it.
        long padWl = Math.max(w + (long) pw, (long) (owVec - 1) * sw + (long) (kw - 1) * dw + 1);
        long padHl = Math.max(1, (long) (oh - 1) * sh + (long) (kh - 1) * dh + 1);
        if (padWl * padHl > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("depthwise conv: padded plane " + padHl + "x" + padWl + " is too large");
        }
        int padW = (int) padWl, padH = (int) padHl;
        long padSize = padWl * padHl;
        int taps = kh * kw;
        par.forRange(nb * cout, 1, (r0, r1) -> {
            float[] pad = new float[(int) padSize];
            float[] row = new float[owVec];
            float[] wt = new float[taps];
            for (int r = r0; r < r1; r++) {
                int b = r / cout, co = r % cout;
                long in = ((long) b * cin + co / mult) * h * w;
                // Rows/columns of the padded plane that hold input (the rest stays zero from the first fill).
                java.util.Arrays.fill(pad, 0f);
                int rowsIn = Math.min(h, padH - ph), colsIn = Math.min(w, padW - pw);
                for (int iy = 0; iy < rowsIn; iy++) {
                    MemorySegment.copy(xd, F32_LE, (in + (long) iy * w) * 4, pad, (iy + ph) * padW + pw, colsIn);
                }
                MemorySegment.copy(wd, F32_LE, (long) co * taps * 4, wt, 0, taps);
                float bias = bd == null ? 0f : bd.getAtIndex(F32_LE, co);
                long outPlane = (long) r * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int base = oy * sh * padW;
                    if (sw == 1) {
                        LOOPS.depthwiseRow(pad, base, padW, wt, kh, kw, dh, dw, bias, row, owVec);
                    } else {
                        rowStrided(pad, base, padW, wt, kh, kw, dh, dw, sw, bias, row, ow);
                    }
                    long at = (outPlane + (long) oy * ow) * 4;
                    if (accumulate) {
                        for (int ox = 0; ox < ow; ox++) row[ox] += od.get(F32_LE, at + ox * 4L);
                    }
                    MemorySegment.copy(row, 0, od, F32_LE, at, ow);
                }
            }
        });
    }

    private static void rowStrided(float[] pad, int base, int padW, float[] wt, int kh, int kw, int dh, int dw,
                                   int sw, float bias, float[] row, int ow) {
        for (int ox = 0; ox < ow; ox++) {
            float acc = bias;
            int start = base + ox * sw;
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) acc = Math.fma(pad[start + ky * dh * padW + kx * dw], wt[ky * kw + kx], acc);
            }
            row[ox] = acc;
        }
    }
}
