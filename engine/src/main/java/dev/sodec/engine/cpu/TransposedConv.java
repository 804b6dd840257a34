package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Transposed convolution decomposed by stride phase. Output row oy = iy*s - p + ky*d, so the outputs with
 * oy = phy + s*ty receive only the taps ky with (phy + p - ky*d) divisible by s, from input row
 * ty + (phy + p - ky*d)/s. Those taps form an arithmetic progression, so each (phy, phx) phase is an ordinary
 * stride-1 correlation with a sub-kernel (negative "dilation", shifted "padding") of the input: an implicit-
 * im2col GEMM with no zero multiplies and no column buffer. Its result is scattered into the strided output
 * positions of that phase; every output element belongs to exactly one phase, so it is written once.
 */
final class TransposedConv {
    private TransposedConv() {}

    /** {@code od} must already hold the bias (or zeros). Weight layout (cin, cout/groups, kh, kw). */
    static void run(Parallel par, MemorySegment xd, MemorySegment wd, MemorySegment od, int nb, int cin, int h, int w,
                    int groups, int opg, int kh, int kw, int oh, int ow,
                    int sh, int sw, int ph, int pw, int dh, int dw) {
        int ipg = cin / groups, cout = opg * groups;
        int maxTy = Math.ceilDiv(oh, sh), maxTx = Math.ceilDiv(ow, sw);
        long outPlane = (long) oh * ow, inPlane = (long) h * w;
        int stepY = sh / gcd(sh, dh), stepX = sw / gcd(sw, dw);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment phase = arena.allocate(Math.max(4, (long) opg * maxTy * maxTx * 4), 64);
            for (int phy = 0; phy < Math.min(sh, oh); phy++) {
                int ky0 = firstTap(phy, ph, dh, sh, kh);
                if (ky0 < 0) continue; // no tap reaches these rows: they keep the bias
                int nky = (kh - 1 - ky0) / stepY + 1;
                int nTy = Math.ceilDiv(oh - phy, sh);
                int dy0 = (phy + ph - ky0 * dh) / sh, ddy = -(dh * stepY) / sh;
                for (int phx = 0; phx < Math.min(sw, ow); phx++) {
                    int kx0 = firstTap(phx, pw, dw, sw, kw);
                    if (kx0 < 0) continue;
                    int nkx = (kw - 1 - kx0) / stepX + 1;
                    int nTx = Math.ceilDiv(ow - phx, sw);
                    int dx0 = (phx + pw - kx0 * dw) / sw, ddx = -(dw * stepX) / sw;
                    int taps = nky * nkx, k = Math.multiplyExact(ipg, taps), n = Math.multiplyExact(nTy, nTx);
                    for (int b = 0; b < nb; b++) {
                        for (int gi = 0; gi < groups; gi++) {
                            long ci0 = (long) gi * ipg;
                            Panel a = subKernel(wd, ci0, opg, kh, kw, ky0, stepY, nky, kx0, stepX, nkx);
                            // Input row for (ty, j) is ty + dy0 + j*ddy: padding -dy0, dilation ddy, stride 1.
                            Panel bx = new Im2colPanel(xd, ((long) b * cin + ci0) * inPlane, h, w, nky, nkx, 1, 1,
                                    -dy0, -dx0, ddy, ddx, nTx);
                            GemmDriver.run(par, opg, n, k, a, bx, phase, 0, n, false);
                            long outBase = ((long) b * cout + (long) gi * opg) * outPlane;
                            int fphy = phy, fphx = phx;
                            par.forRange(opg, 1, (c0, c1) -> {
                                // Bulk-copy rows into arrays: per-element segment access dominated this loop.
                                float[] outRow = new float[ow], phaseRow = new float[nTx];
                                for (int co = c0; co < c1; co++) {
                                    long src = (long) co * n, dst = outBase + co * outPlane;
                                    for (int ty = 0; ty < nTy; ty++) {
                                        long rowOff = (dst + (long) (fphy + ty * sh) * ow) * 4;
                                        MemorySegment.copy(phase, F32_LE, (src + (long) ty * nTx) * 4, phaseRow, 0, nTx);
                                        MemorySegment.copy(od, F32_LE, rowOff, outRow, 0, ow);
                                        for (int tx = 0, ox = fphx; tx < nTx; tx++, ox += sw) outRow[ox] += phaseRow[tx];
                                        MemorySegment.copy(outRow, 0, od, F32_LE, rowOff, ow);
                                    }
                                }
                            });
                        }
                    }
                }
            }
        }
    }

    /**
     * op(A)[co, (ci, j, i)] = w[ci0 + ci, co, ky0 + j*stepY, kx0 + i*stepX]: the phase's taps of the group's
     * weights, transposed to (out, in) so the GEMM reads them as rows.
     */
    private static Panel subKernel(MemorySegment wd, long ci0, int opg, int kh, int kw, int ky0, int stepY, int nky,
                                   int kx0, int stepX, int nkx) {
        int taps = nky * nkx;
        long coStride = (long) kh * kw;
        return (dst, off, width, r0, rows, p0, kc) -> {
            for (int p = 0; p < kc; p++) {
                int q = p0 + p, ci = q / taps, t = q % taps;
                int ky = ky0 + (t / nkx) * stepY, kx = kx0 + (t % nkx) * stepX;
                long base = ((ci0 + ci) * opg + r0) * coStride + (long) ky * kw + kx;
                int d = off + p * width;
                for (int r = 0; r < rows; r++) dst[d + r] = wd.getAtIndex(F32_LE, base + r * coStride);
                for (int r = rows; r < width; r++) dst[d + r] = 0f;
            }
        };
    }

    /** Smallest ky in [0, k) with (phase + pad - ky*dil) divisible by stride, or -1. */
    private static int firstTap(int phase, int pad, int dil, int stride, int k) {
        for (int ky = 0; ky < k && ky < stride; ky++) {
            if (Math.floorMod(phase + pad - ky * dil, stride) == 0) return ky;
        }
        return -1;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
