package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Multi-head scaled dot-product attention with the softmax fused between the two products. Work items are
 * (batch, head, tile of query rows); each holds one scores tile of TILE x S floats, so memory stays at one tile per
 * thread however long the sequences are, and each output element is computed by exactly one item.
 */
final class CpuAttention {
    private CpuAttention() {}

    /** Query rows per work item. */
    static final int TILE = 64;

    private static final Parallel SERIAL = new Parallel(1);

    static void attention(Parallel par, Tensor q, Tensor k, Tensor v, int heads, float scale, Tensor out) {
        int nb = q.dim(0), t = q.dim(1), c = q.dim(2), s = k.dim(1), cv = v.dim(2);
        int dh = c / heads, dv = cv / heads;
        int tiles = (t + TILE - 1) / TILE;
        if (tiles >= 8 * par.threads() && par == CpuGemm.usable(par, q.data(), k.data(), v.data(), out.data())) {
            perHead(par, q, k, v, heads, scale, out);
            return;
        }
        long items = (long) nb * heads * tiles;
        if (items > Integer.MAX_VALUE) throw new IllegalArgumentException("attention: too many work items");
        MemorySegment qd = q.data(), kd = k.data(), vd = v.data(), od = out.data();
        par.forRange((int) items, 1, (i0, i1) -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment scores = arena.allocate((long) TILE * s * 4, 64);
                float[] scratch = new float[CpuLoops.INSTANCE.lanes()];
                for (int it = i0; it < i1; it++) {
                    int tile = it % tiles, h = (it / tiles) % heads, b = it / tiles / heads;
                    int t0 = tile * TILE, tn = Math.min(TILE, t - t0);
                    CpuGemm.sgemm(SERIAL, tn, s, dh,
                            qd, ((long) b * t + t0) * c + (long) h * dh, c, false,
                            kd, (long) b * s * c + (long) h * dh, c, true,
                            scores, 0, s, false);
                    for (int r = 0; r < tn; r++) {
                        CpuLoops.INSTANCE.softmaxRow(scores, (long) r * s, scores, (long) r * s, s, scale, scratch);
                    }
                    CpuGemm.sgemm(SERIAL, tn, dv, s,
                            scores, 0, s, false,
                            vd, (long) b * s * cv + (long) h * dv, cv, false,
                            od, ((long) b * t + t0) * cv + (long) h * dv, cv, false);
                }
            }
        });
    }

    /**
     * Long query sequences, per head: the keys and values are packed once ({@link PackedWeight}) and read in place by
     * the GEMMs of all the head's query tiles, which run in parallel (with a tile per work item, each item packed the
     * head's 2 x S x dh floats again). The scores are computed transposed, S^T = K Q^T (keys by queries), so that
     * the softmax runs down columns, vectorised across queries with no horizontal reductions
     * ({@link CpuLoops#expColumns}), and the second product is taken transposed too, O^T = V^T P^T, where P^T is S^T
     * as it lies (a K-major B, packed by whole-vector copies, not transposed); O^T goes back into the output rows
     * divided by each query's softmax sum. Every element
     * is still one fixed sequence of operations, so the result does not depend on the thread count.
     */
    private static void perHead(Parallel par, Tensor q, Tensor k, Tensor v, int heads, float scale, Tensor out) {
        int nb = q.dim(0), t = q.dim(1), c = q.dim(2), s = k.dim(1), cv = v.dim(2);
        int dh = c / heads, dv = cv / heads;
        int tiles = (t + TILE - 1) / TILE;
        MemorySegment qd = q.data(), kd = k.data(), vd = v.data(), od = out.data();
        for (int b = 0; b < nb; b++) {
            for (int h = 0; h < heads; h++) {
                long kOff = (long) b * s * c + (long) h * dh, vOff = (long) b * s * cv + (long) h * dv;
                PackedWeight keys = PackedWeight.packOnHeap(par, SegmentPanel.rowMajor(kd, kOff, c), s, dh, GemmDriver.MR);
                PackedWeight values;
                try {
                    values = PackedWeight.packOnHeap(par, SegmentPanel.kMajor(vd, vOff, cv), dv, s, GemmDriver.MR);
                } catch (RuntimeException | Error e) {
                    keys.free();
                    throw e;
                }
                int fb = b, fh = h;
                try {
                    par.forRange(tiles, 1, (i0, i1) -> {
                        try (Arena arena = Arena.ofConfined()) {
                            MemorySegment st = arena.allocate((long) s * TILE * 4, 64);
                            MemorySegment ot = arena.allocate((long) dv * TILE * 4, 64);
                            float[] max = new float[TILE], sums = new float[TILE];
                            for (int tile = i0; tile < i1; tile++) {
                                int t0 = tile * TILE, tn = Math.min(TILE, t - t0);
                                long qRow = ((long) fb * t + t0) * c + (long) fh * dh;
                                GemmDriver.run(SERIAL, s, tn, dh, keys, SegmentPanel.rowMajor(qd, qRow, c), st, 0, TILE, false);
                                CpuLoops.INSTANCE.expColumns(st, s, tn, TILE, scale, max, sums);
                                long oRow = ((long) fb * t + t0) * cv + (long) fh * dv;
                                // O^T = V^T P^T: S^T is already P^T's layout (a K-major B, copied in whole vectors)
                                GemmDriver.run(SERIAL, dv, tn, s, values, SegmentPanel.kMajor(st, 0, TILE), ot, 0, TILE, false);
                                for (int r = 0; r < tn; r++) {
                                    long at = (oRow + (long) r * cv) * 4;
                                    for (int d = 0; d < dv; d++) {
                                        od.set(F32_LE, at + d * 4L, ot.get(F32_LE, ((long) d * TILE + r) * 4) / sums[r]);
                                    }
                                }
                            }
                        }
                    });
                } finally {
                    keys.free();
                    values.free();
                }
            }
        }
    }
}
