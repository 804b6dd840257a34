package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Conv2dParams;
import java.lang.foreign.MemorySegment;

/**
 * Stride-1 convolution to very few output channels over a large plane: an image decoder's last conv (the SD VAE's
 * 128 -> 3 at full resolution). As a GEMM its A has 3 of 8 rows and its im2col B (cin x 9 by every pixel) is packed
 * for 3 outputs per element: it ran at about 7 GFLOP/s. Here each output row is accumulated directly, input row by
 * input row: out[c][oy][ox] = prefill + sum over ci, ky, kx (in that order) of w * x[ci][oy + ky - ph][ox + kx - pw],
 * vectorised along ox ({@link CpuLoops#fmaRun}). One FMA chain per element in a fixed order: thread-count
 * independent.
 */
final class SmallOutputConv {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    /** Most output channels this path takes. */
    static final int MAX_COUT = 4;
    /** Fewest output pixels: below this the GEMM's packing is cheap enough. */
    static final int MIN_PIXELS = 64 * 64;

    private SmallOutputConv() {}

    static boolean applies(int cout, int cpg, int pixels, Conv2dParams p) {
        return p.groups() == 1 && cout <= MAX_COUT && cpg > 1 && pixels >= MIN_PIXELS && p.strideH() == 1
                && p.strideW() == 1 && p.dilationH() == 1 && p.dilationW() == 1;
    }

    /** @param accumulate start from what {@code od} holds (bias, residual) instead of zero */
    static void run(Parallel par, MemorySegment xd, MemorySegment wd, MemorySegment od, int nb, int cin, int h, int w,
                    int cout, int kh, int kw, int oh, int ow, Conv2dParams p, boolean accumulate) {
        int ph = p.padH(), pw = p.padW();
        par.forRange(nb * oh, 1, (r0, r1) -> {
            float[] acc = new float[ow];
            float[] wt = new float[cin * kh * kw];
            for (int r = r0; r < r1; r++) {
                int b = r / oh, oy = r % oh;
                for (int c = 0; c < cout; c++) {
                    long outAt = (((long) b * cout + c) * oh + oy) * ow * 4;
                    if (accumulate) MemorySegment.copy(od, F32_LE, outAt, acc, 0, ow);
                    else java.util.Arrays.fill(acc, 0f);
                    MemorySegment.copy(wd, F32_LE, (long) c * wt.length * 4, wt, 0, wt.length);
                    for (int ci = 0; ci < cin; ci++) {
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy - ph + ky;
                            if (iy < 0 || iy >= h) continue;
                            long rowAt = (((long) b * cin + ci) * h + iy) * w;
                            for (int kx = 0; kx < kw; kx++) {
                                int shift = kx - pw, lo = Math.max(0, -shift), hi = Math.min(ow, w - shift);
                                if (hi > lo) {
                                    LOOPS.fmaRun(acc, lo, xd, (rowAt + lo + shift) * 4, wt[(ci * kh + ky) * kw + kx], hi - lo);
                                }
                            }
                        }
                    }
                    MemorySegment.copy(acc, 0, od, F32_LE, outAt, ow);
                }
            }
        });
    }
}
