package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The im2col matrix of one image and one channel group, built on the fly while packing: row p = (ci, ky, kx),
 * column j = output pixel (oy, ox), value x[ci, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw] or 0 in the padding.
 * No column buffer is ever materialised, so memory stays at the GEMM's packed K x NB block whatever the image.
 */
final class Im2colPanel implements Panel {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    private final MemorySegment x;
    private final long chan0; // float index of the group's first input channel in this image
    private final int h, w, kh, kw, sh, sw, ph, pw, dh, dw, ow;

    Im2colPanel(MemorySegment x, long chan0, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                int dh, int dw, int ow) {
        this.x = x;
        this.chan0 = chan0;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.dh = dh;
        this.dw = dw;
        this.ow = ow;
    }

    @Override
    public void pack(float[] dst, int off, int width, int r0, int rows, int p0, int kc) {
        // Split the sliver's pixels into runs inside one output row: (oy, ox, length, first lane).
        int[] runs = new int[4 * rows];
        int nRuns = 0;
        for (int t = 0; t < rows; ) {
            int j = r0 + t, oy = j / ow, ox = j % ow, len = Math.min(ow - ox, rows - t);
            runs[4 * nRuns] = oy;
            runs[4 * nRuns + 1] = ox;
            runs[4 * nRuns + 2] = len;
            runs[4 * nRuns + 3] = t;
            nRuns++;
            t += len;
        }
        int taps = kh * kw;
        int ci = p0 / taps, ky = (p0 % taps) / kw, kx = p0 % kw;
        long plane = (long) h * w;
        for (int p = 0; p < kc; p++) {
            int d = off + p * width;
            long chan = chan0 + ci * plane;
            for (int r = 0; r < nRuns; r++) {
                int iy = runs[4 * r] * sh - ph + ky * dh;
                int len = runs[4 * r + 2], t0 = d + runs[4 * r + 3];
                if (iy < 0 || iy >= h) {
                    Arrays.fill(dst, t0, t0 + len, 0f);
                    continue;
                }
                int ix0 = runs[4 * r + 1] * sw - pw + kx * dw;
                long row = chan + (long) iy * w;
                if (sw == 1) {
                    int lo = Math.min(len, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(len, w - ix0));
                    for (int z = 0; z < lo; z++) dst[t0 + z] = 0f;
                    LOOPS.copyRun(x, (row + ix0 + lo) * 4, dst, t0 + lo, hi - lo);
                    for (int z = hi; z < len; z++) dst[t0 + z] = 0f;
                } else {
                    for (int t = 0, ix = ix0; t < len; t++, ix += sw) {
                        dst[t0 + t] = ix >= 0 && ix < w ? x.getAtIndex(F32_LE, row + ix) : 0f;
                    }
                }
            }
            for (int t = rows; t < width; t++) dst[d + t] = 0f;
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ci++;
                }
            }
        }
    }
}
