package dev.sodec.engine.cpu;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Element-wise ops on contiguous F32 tensors, split over fixed-size chunks of elements. The output may be the
 * memory of an input (the plan writes in place where the input dies): every element is read before it is written.
 */
final class CpuElementwise {
    private CpuElementwise() {}

    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    /** Elements per work item: large enough to amortise scheduling, small enough to balance. */
    static final int CHUNK = 1 << 14;

    /** Runs body(from, to) over [0, n) in CHUNK-sized element ranges. */
    interface LongRange {
        void run(long from, long to);
    }

    static void chunks(Parallel par, long n, LongRange body) {
        long nChunks = (n + CHUNK - 1) / CHUNK;
        if (nChunks > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor of " + n + " elements is too large");
        par.forRange((int) nChunks, 1, (c0, c1) -> body.run((long) c0 * CHUNK, Math.min(n, (long) c1 * CHUNK)));
    }

    static void unary(Parallel par, Act act, Tensor x, Tensor y) {
        MemorySegment xd = x.data(), yd = y.data();
        chunks(par, x.numel(), (from, to) -> LOOPS.activation(act, xd, 0, yd, 0, from, to));
    }

    static void binary(Parallel par, Tensor a, Tensor b, Tensor y, boolean multiply) {
        MemorySegment ad = a.data(), bd = b.data(), yd = y.data();
        chunks(par, a.numel(), (from, to) -> LOOPS.binary(ad, bd, yd, from, to, multiply));
    }

    /** x (B, C, ...) + bias broadcast over the trailing dims; bias is (C) or (B, C). */
    static void addPerChannel(Parallel par, Tensor x, Tensor bias, Tensor y) {
        int nb = x.dim(0), c = x.dim(1);
        boolean perBatch = bias.rank() == 2;
        long plane = x.numel() / Math.max(1L * nb * c, 1);
        MemorySegment xd = x.data(), bd = bias.data(), yd = y.data();
        par.forRange(nb * c, Math.max(1, (int) (CHUNK / Math.max(plane, 1))), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                LOOPS.addScalar(xd, yd, r * plane, plane, bd.getAtIndex(Tensor.F32_LE, perBatch ? r : r % c));
            }
        });
    }

    /** Fills each (batch, channel) plane of y with its channel's bias. */
    static void fillPerChannel(Parallel par, MemorySegment yd, MemorySegment bd, int nb, int c, long plane) {
        par.forRange(nb * c, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) LOOPS.fill(yd, (long) r * plane, plane, bd.getAtIndex(Tensor.F32_LE, r % c));
        });
    }

    /** x (..., 2n) -> hidden * gelu_erf(gate) (..., n), hidden = first half, gate = second half (diffusers GEGLU). */
    static void geglu(Parallel par, Tensor x, Tensor y) {
        int two = x.dim(-1), n = two / 2;
        long rows = x.numel() / Math.max(two, 1);
        MemorySegment xd = x.data(), yd = y.data();
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("geglu: too many rows " + rows);
        par.forRange((int) rows, Math.max(1, CHUNK / Math.max(n, 1)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) LOOPS.geglu(xd, r * two, yd, r * n, n);
        });
    }
}
