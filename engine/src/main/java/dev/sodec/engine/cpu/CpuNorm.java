package dev.sodec.engine.cpu;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Group norm, layer norm and softmax. Each reduction (a group, a row) is done whole by one thread in a fixed
 * order, so results do not depend on the thread count. Statistics are two-pass (mean, then squared deviations),
 * accumulated in float lanes per block and in double across blocks (the scalar loops: in double).
 */
final class CpuNorm {
    private CpuNorm() {}

    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    /** y = GroupNorm(x) (then SiLU when {@code fuseSilu}); shapes were checked when the node was recorded. */
    static void groupNorm(Parallel par, Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu, Tensor y) {
        int[] xs = x.shape();
        int nb = xs[0], c = xs[1];
        int cpg = c / groups;
        long plane = nb == 0 || c == 0 ? 0 : x.numel() / ((long) nb * c);
        long groupSize = cpg * plane;
        MemorySegment xd = x.data(), yd = y.data();
        MemorySegment wd = weight == null ? null : weight.data(), bd = bias == null ? null : bias.data();
        // Phase 1: statistics, one whole group per work item. Phase 2: normalisation, one channel plane per item
        // (finer than groups, so a batch of one with 32 groups still balances over many cores).
        int units = nb * groups;
        float[] means = new float[units], rstds = new float[units];
        par.forRange(units, 1, (u0, u1) -> {
            float[] scratch = new float[LOOPS.lanes()];
            for (int u = u0; u < u1; u++) {
                long base = (long) u * groupSize;
                double mean = LOOPS.sum(xd, base, groupSize, scratch) / groupSize;
                double var = LOOPS.sumSquaredDeviation(xd, base, groupSize, (float) mean, scratch) / groupSize;
                means[u] = (float) mean;
                rstds[u] = (float) (1.0 / Math.sqrt(var + eps));
            }
        });
        par.forRange(nb * c, Math.max(1, (int) (CpuElementwise.CHUNK / Math.max(plane, 1))), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int ch = pl % c, u = (pl / c) * groups + ch / cpg;
                float w = wd == null ? 1f : wd.getAtIndex(Tensor.F32_LE, ch);
                float bb = bd == null ? 0f : bd.getAtIndex(Tensor.F32_LE, ch);
                float a = rstds[u] * w;
                LOOPS.affine(xd, yd, (long) pl * plane, plane, a, bb - means[u] * a, fuseSilu);
            }
        });
    }

    static void layerNorm(Parallel par, Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        int[] xs = x.shape();
        int d = xs[xs.length - 1];
        int rows = rows("layer_norm", x, d);
        MemorySegment xd = x.data(), yd = y.data();
        MemorySegment wd = weight == null ? null : weight.data(), bd = bias == null ? null : bias.data();
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / Math.max(d, 1)), (r0, r1) -> {
            float[] scratch = new float[LOOPS.lanes()];
            for (int r = r0; r < r1; r++) {
                long base = (long) r * d;
                double mean = LOOPS.sum(xd, base, d, scratch) / d;
                double var = LOOPS.sumSquaredDeviation(xd, base, d, (float) mean, scratch) / d;
                LOOPS.normalizeRow(xd, yd, wd, bd, base, d, (float) mean, (float) (1.0 / Math.sqrt(var + eps)));
            }
        });
    }

    /** Softmax over the last dim; the row max is subtracted first so large inputs do not overflow. */
    static void softmax(Parallel par, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int d = xs[xs.length - 1];
        int rows = rows("softmax", x, d);
        MemorySegment xd = x.data(), yd = y.data();
        par.forRange(rows, Math.max(1, CpuElementwise.CHUNK / Math.max(d, 1)), (r0, r1) -> {
            float[] scratch = new float[LOOPS.lanes()];
            for (int r = r0; r < r1; r++) {
                long base = (long) r * d;
                LOOPS.softmaxRow(xd, base, yd, base, d, 1f, scratch);
            }
        });
    }

    private static int rows(String op, Tensor x, int d) {
        long rows = d == 0 ? 0 : x.numel() / d;
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": too many rows (" + rows + ")");
        return (int) rows;
    }
}
