package dev.sodec.engine.cpu;

import static dev.sodec.engine.cpu.VectorMath.L;
import static dev.sodec.engine.cpu.VectorMath.LE;
import static dev.sodec.engine.cpu.VectorMath.S;
import static dev.sodec.engine.cpu.VectorMath.load;
import static dev.sodec.engine.cpu.VectorMath.store;
import static dev.sodec.engine.cpu.VectorMath.tail;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Element-wise ops on contiguous F32 tensors, split over fixed-size chunks of elements. The output may be the
 * memory of an input (the plan writes in place where the input dies): every element is read before it is written.
 */
final class CpuElementwise {
    private CpuElementwise() {}

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
        chunks(par, x.numel(), (from, to) -> CpuActivation.range(act, xd, 0, yd, 0, from, to));
    }

    static void binary(Parallel par, Tensor a, Tensor b, Tensor y, boolean multiply) {
        MemorySegment ad = a.data(), bd = b.data(), yd = y.data();
        chunks(par, a.numel(), (from, to) -> {
            long i = from;
            for (; i + L <= to; i += L) {
                FloatVector u = load(ad, i), v = load(bd, i);
                store(multiply ? u.mul(v) : u.add(v), yd, i);
            }
            if (i < to) {
                VectorMask<Float> m = tail(i, to);
                FloatVector u = load(ad, i, m), v = load(bd, i, m);
                store(multiply ? u.mul(v) : u.add(v), yd, i, m);
            }
        });
    }

    /** x (B, C, ...) + bias broadcast over the trailing dims; bias is (C) or (B, C). */
    static void addPerChannel(Parallel par, Tensor x, Tensor bias, Tensor y) {
        int nb = x.dim(0), c = x.dim(1);
        boolean perBatch = bias.rank() == 2;
        long plane = x.numel() / Math.max(1L * nb * c, 1);
        MemorySegment xd = x.data(), bd = bias.data(), yd = y.data();
        par.forRange(nb * c, Math.max(1, (int) (CHUNK / Math.max(plane, 1))), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                float bv = bd.getAtIndex(Tensor.F32_LE, perBatch ? r : r % c);
                FloatVector v = FloatVector.broadcast(S, bv);
                long base = r * plane;
                long i = 0;
                for (; i + L <= plane; i += L) store(load(xd, base + i).add(v), yd, base + i);
                if (i < plane) {
                    VectorMask<Float> m = tail(i, plane);
                    store(load(xd, base + i, m).add(v), yd, base + i, m);
                }
            }
        });
    }

    /** Fills each (batch, channel) plane of y with its channel's bias. */
    static void fillPerChannel(Parallel par, MemorySegment yd, MemorySegment bd, int nb, int c, long plane) {
        par.forRange(nb * c, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                FloatVector bv = FloatVector.broadcast(S, bd.getAtIndex(Tensor.F32_LE, r % c));
                long base = (long) r * plane, i = 0;
                for (; i + L <= plane; i += L) store(bv, yd, base + i);
                if (i < plane) store(bv, yd, base + i, tail(i, plane));
            }
        });
    }

    /** x (..., 2n) -> hidden * gelu_erf(gate) (..., n), hidden = first half, gate = second half (diffusers GEGLU). */
    static void geglu(Parallel par, Tensor x, Tensor y) {
        int two = x.dim(-1), n = two / 2;
        long rows = x.numel() / Math.max(two, 1);
        MemorySegment xd = x.data(), yd = y.data();
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("geglu: too many rows " + rows);
        par.forRange((int) rows, Math.max(1, CHUNK / Math.max(n, 1)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) gegluRow(xd, r * two, yd, r * n, n);
        });
    }

    /** One row of geglu; one masked call site for the erf kernel (see {@link CpuActivation}). */
    private static void gegluRow(MemorySegment xd, long in, MemorySegment yd, long out, int n) {
        for (long i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector h = FloatVector.fromMemorySegment(S, xd, (in + i) * 4, LE, m);
            FloatVector g = FloatVector.fromMemorySegment(S, xd, (in + n + i) * 4, LE, m);
            h.mul(VectorMath.geluErf(g)).intoMemorySegment(yd, (out + i) * 4, LE, m);
        }
    }
}
