package dev.sodec.engine.cpu;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * GDN / inverse GDN as a GEMM: per sample, norm (C, HW) = beta + gamma (C, C) x (x * x) (C, HW), then
 * y = x / sqrt(norm) (or x * sqrt(norm)). The channel mix is the whole cost (2 C^2 HW flops), so it goes through
 * the blocked GEMM instead of a per-pixel dot product over a channel stride of HW floats, which missed cache on
 * every term (measured 0.2 GFLOP/s on g_a at 256x256, N = 192). Work is split over output rows and columns only
 * (the GEMM's contract), so results do not depend on the thread count.
 */
final class CpuGdn {
    private CpuGdn() {}

    /** Bytes of scratch one GDN of x needs: the squares and the norms of one sample. */
    static long workspaceBytes(int[] xShape) {
        return 2L * xShape[1] * xShape[2] * xShape[3] * 4;
    }

    /** y = GDN(x); {@code workspace} holds {@link #workspaceBytes} bytes. */
    static void gdn(Parallel par, Tensor x, Tensor beta, Tensor gamma, boolean inverse, Tensor y, MemorySegment workspace) {
        int[] s = x.shape();
        int nb = s[0], c = s[1];
        int hw = s[2] * s[3];
        long half = (long) c * hw * 4;
        MemorySegment xd = x.data(), bd = beta.data(), gd = gamma.data();
        MemorySegment yd = y.data(), sqd = workspace.asSlice(0, half), nd = workspace.asSlice(half, half);
        for (int b = 0; b < nb; b++) {
            long base = (long) b * c * hw;
            par.forRange(c, 1, (r0, r1) -> {
                for (int i = r0; i < r1; i++) CpuLoops.INSTANCE.gdnSquares(xd, base + (long) i * hw, sqd, nd, (long) i * hw, hw, bd.getAtIndex(Tensor.F32_LE, i));
            });
            CpuGemm.sgemm(par, c, hw, c, gd, 0, c, false, sqd, 0, hw, false, nd, 0, hw, true);
            par.forRange(c, 1, (r0, r1) -> {
                for (int i = r0; i < r1; i++) CpuLoops.INSTANCE.gdnApply(xd, nd, yd, base + (long) i * hw, (long) i * hw, hw, inverse);
            });
        }
    }
}
