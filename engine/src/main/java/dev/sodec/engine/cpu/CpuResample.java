package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/** Spatial resampling of NCHW tensors: nearest upsampling, bilinear resize, pixel shuffle. Parallel over rows. */
final class CpuResample {
    private CpuResample() {}

    /**
     * torch nearest source index: identity for equal sizes, dst/2 for exact 2x, else
     * min(floor(dst * (float) in / out), in - 1) in float arithmetic.
     */
    static int[] nearestIndex(int in, int out) {
        int[] idx = new int[out];
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            if (out == in) idx[d] = d;
            else if (out == 2 * in) idx[d] = d >> 1;
            else idx[d] = Math.min((int) Math.floor((float) d * scale), in - 1);
        }
        return idx;
    }

    static void upsampleNearest(Parallel par, Tensor x, Tensor y) {
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), outH = y.dim(2), outW = y.dim(3);
        int[] sy = nearestIndex(h, outH), sx = nearestIndex(w, outW);
        MemorySegment xd = x.data(), yd = y.data();
        int rows = Math.multiplyExact(nb * c, outH);
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / outW), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int plane = r / outH, oy = r % outH;
                long src = ((long) plane * h + sy[oy]) * w, dst = (long) r * outW;
                for (int ox = 0; ox < outW; ox++) yd.setAtIndex(F32_LE, dst + ox, xd.getAtIndex(F32_LE, src + sx[ox]));
            }
        });
    }

    /**
     * Bilinear resize with align_corners=False and no antialiasing, in float like torch's CPU kernel:
     * src = max(scale * (dst + 0.5) - 0.5, 0) with scale = (float) in / out, i0 = floor(src), i1 = min(i0 + 1, in - 1),
     * out = l0h * (l0w x[i0h][i0w] + l1w x[i0h][i1w]) + l1h * (l0w x[i1h][i0w] + l1w x[i1h][i1w]).
     */
    static void resizeBilinear(Parallel par, Tensor x, Tensor y) {
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), outH = y.dim(2), outW = y.dim(3);
        Axis ay = new Axis(h, outH), ax = new Axis(w, outW);
        MemorySegment xd = x.data(), yd = y.data();
        int rows = Math.multiplyExact(nb * c, outH);
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / outW), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int plane = r / outH, oy = r % outH;
                long row0 = ((long) plane * h + ay.i0[oy]) * w, row1 = ((long) plane * h + ay.i1[oy]) * w;
                float h0 = ay.l0[oy], h1 = ay.l1[oy];
                long dst = (long) r * outW;
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ax.i0[ox], x1 = ax.i1[ox];
                    float w0 = ax.l0[ox], w1 = ax.l1[ox];
                    float t0 = xd.getAtIndex(F32_LE, row0 + x0) * w0 + xd.getAtIndex(F32_LE, row0 + x1) * w1;
                    float t1 = xd.getAtIndex(F32_LE, row1 + x0) * w0 + xd.getAtIndex(F32_LE, row1 + x1) * w1;
                    yd.setAtIndex(F32_LE, dst + ox, t0 * h0 + t1 * h1);
                }
            }
        });
    }

    /** Source indices and weights along one axis for bilinear resize. */
    private static final class Axis {
        final int[] i0, i1;
        final float[] l0, l1;

        Axis(int in, int out) {
            i0 = new int[out];
            i1 = new int[out];
            l0 = new float[out];
            l1 = new float[out];
            float scale = (float) in / out;
            for (int d = 0; d < out; d++) {
                float src = scale * (d + 0.5f) - 0.5f;
                if (src < 0) src = 0;
                int lo = Math.min((int) src, in - 1);
                float lambda = Math.min(Math.max(src - lo, 0f), 1f);
                i0[d] = lo;
                i1[d] = lo < in - 1 ? lo + 1 : lo;
                l1[d] = lambda;
                l0[d] = 1f - lambda;
            }
        }
    }

    /** out[b, c, h*r + i, w*r + j] = in[b, c*r*r + i*r + j, h, w]. */
    static void pixelShuffle(Parallel par, Tensor x, int r, Tensor y) {
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), w = x.dim(3);
        int c = cin / (r * r), oh = y.dim(2), ow = y.dim(3);
        MemorySegment xd = x.data(), yd = y.data();
        int rows = Math.multiplyExact(nb * c, oh);
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / Math.max(ow, 1)), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int bc = row / oh, oy = row % oh, b = bc / c, ch = bc % c, hy = oy / r, i = oy % r;
                long dst = (long) row * ow;
                for (int j = 0; j < r; j++) {
                    long src = (((long) b * cin + (long) ch * r * r + i * r + j) * h + hy) * w;
                    for (int wx = 0; wx < w; wx++) yd.setAtIndex(F32_LE, dst + (long) wx * r + j, xd.getAtIndex(F32_LE, src + wx));
                }
            }
        });
    }
}
