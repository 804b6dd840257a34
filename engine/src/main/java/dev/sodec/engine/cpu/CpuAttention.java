package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Multi-head scaled dot-product attention, blocked with an online softmax (as FlashAttention does): a work item is
 * one (head, tile of {@link #TILE} queries), which walks the keys in blocks of {@link #KEYS} and keeps only that
 * block's scores, so its working set stays in L2 however long the sequences are (at 4096 tokens the whole scores
 * tile, 1 MiB, had gone to L3 three times per tile).
 *
 * <p>Per key block the scores are taken transposed, S^T = K Q^T (keys by queries), written in the layout the
 * second product reads its B operand in (slivers of NR queries), so the softmax runs down columns, vectorised
 * across queries ({@link CpuLoops#expColumnsOnline}), and nothing is repacked; then O^T = O^T * rescale + V^T P^T,
 * and at the end each query's row of O^T / sum goes to the output. Keys and values are packed once per head for
 * all its query tiles. The micro-kernel runs every product ({@link CpuLoops#microKernel}); each output element is
 * one fixed sequence of operations that depends on neither the thread count nor the work split.
 */
final class CpuAttention {
    private CpuAttention() {}

    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;
    private static final int MR = CpuLoops.MR, NR = LOOPS.nr();

    /** Query rows per work item. */
    static final int TILE = 64;
    /** Keys per block of the online softmax: the scores block is TILE x KEYS floats (128 KiB). */
    static final int KEYS = 512;
    /** Work chunks per thread: items are claimed a chunk at a time, each chunk allocating its scratch once. */
    private static final int CHUNKS_PER_THREAD = 4;

    static void attention(Parallel par, Tensor q, Tensor k, Tensor v, int heads, float scale, Tensor out) {
        int nb = q.dim(0), t = q.dim(1), c = q.dim(2), s = k.dim(1), cv = v.dim(2);
        int dh = c / heads, dv = cv / heads;
        int tiles = Math.ceilDiv(t, TILE);
        long items = (long) heads * tiles;
        if (items > Integer.MAX_VALUE) throw new IllegalArgumentException("attention: too many work items");
        Parallel p = CpuGemm.usable(par, q.data(), k.data(), v.data(), out.data());
        int keySlivers = Math.ceilDiv(s, MR), dvPad = GemmDriver.roundUp(dv, MR);
        if ((long) keySlivers * MR * dh > Integer.MAX_VALUE - 16 || (long) dvPad * s > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("attention: " + s + " keys of " + dh + " and " + dv + " per head is too long");
        }
        float[][] keys = new float[heads][keySlivers * MR * dh], values = new float[heads][dvPad * s];
        MemorySegment qd = q.data(), kd = k.data(), vd = v.data(), od = out.data();
        int grain = (int) Math.max(1, items / ((long) p.threads() * CHUNKS_PER_THREAD));
        for (int b = 0; b < nb; b++) {
            int fb = b;
            p.forRange(heads, 1, (h0, h1) -> {
                for (int h = h0; h < h1; h++) pack(kd, vd, fb, h, s, c, cv, dh, dv, keys[h], values[h]);
            });
            p.forRange((int) items, grain, (i0, i1) -> {
                try (Arena arena = Arena.ofConfined()) {
                    Scratch sc = new Scratch(arena, dh, dv);
                    for (int it = i0; it < i1; it++) {
                        int h = it / tiles, tile = it % tiles;
                        queryTile(sc, qd, od, fb, h, tile * TILE, Math.min(TILE, t - tile * TILE), t, s, c, cv, dh, dv,
                                scale, keys[h], values[h]);
                    }
                }
            });
        }
    }

    /** One work item's buffers, reused for every item of its chunk. */
    private static final class Scratch {
        /** S^T of one key block, as slivers of NR queries: [sliver][key][NR]. */
        final MemorySegment scores;
        /** O^T of the tile: [dv][TILE]. */
        final MemorySegment acc;
        /** Q^T of the tile, packed as the B operand: [sliver][dh][NR]. */
        final float[] queries;
        final float[] max = new float[TILE], sums = new float[TILE], rescale = new float[TILE];
        final float[] tile = new float[MR * NR], sliver = new float[NR * KEYS];

        Scratch(Arena arena, int dh, int dv) {
            scores = arena.allocate((long) TILE * KEYS * 4, 64);
            acc = arena.allocate((long) GemmDriver.roundUp(dv, MR) * TILE * 4, 64);
            queries = new float[GemmDriver.roundUp(TILE, NR) * dh];
        }
    }

    /** Head h's keys as A slivers ([sliver][dh][MR]) and values transposed as A slivers ([sliver][s][MR]). */
    private static void pack(MemorySegment kd, MemorySegment vd, int b, int h, int s, int c, int cv, int dh, int dv,
                             float[] keys, float[] values) {
        Panel kp = SegmentPanel.rowMajor(kd, (long) b * s * c + (long) h * dh, c);
        for (int r = 0; r < s; r += MR) kp.pack(keys, r * dh, MR, r, Math.min(MR, s - r), 0, dh);
        Panel vp = SegmentPanel.kMajor(vd, (long) b * s * cv + (long) h * dv, cv);
        for (int r = 0; r < dv; r += MR) vp.pack(values, r * s, MR, r, Math.min(MR, dv - r), 0, s);
    }

    private static void queryTile(Scratch sc, MemorySegment qd, MemorySegment od, int b, int h, int t0, int tn, int t,
                                  int s, int c, int cv, int dh, int dv, float scale, float[] keys, float[] values) {
        int qSlivers = Math.ceilDiv(tn, NR);
        Panel qp = SegmentPanel.rowMajor(qd, ((long) b * t + t0) * c + (long) h * dh, c);
        for (int q = 0; q < qSlivers; q++) qp.pack(sc.queries, q * dh * NR, NR, q * NR, Math.min(NR, tn - q * NR), 0, dh);
        java.util.Arrays.fill(sc.max, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(sc.sums, 0f);
        boolean inPlace = LOOPS.readsPackedInPlace();
        for (int k0 = 0; k0 < s; k0 += KEYS) {
            int kn = Math.min(KEYS, s - k0);
            for (int r = 0; r < kn; r += MR) {   // S^T block = K Q^T
                for (int q = 0; q < qSlivers; q++) {
                    LOOPS.microKernel(keys, (k0 + r) * dh, sc.queries, q * dh * NR, dh, sc.scores,
                            ((long) q * KEYS + r) * NR * 4, NR * 4L, Math.min(MR, kn - r), Math.min(NR, tn - q * NR),
                            false, sc.tile);
                }
            }
            for (int q = 0; q < qSlivers; q++) {
                LOOPS.expColumnsOnline(sc.scores, (long) q * KEYS * NR, kn, NR, NR, scale, sc.max, sc.sums, sc.rescale,
                        q * NR);
            }
            if (k0 > 0) rescale(sc, dv);
            for (int r = 0; r < dv; r += MR) {   // O^T (+)= V^T P^T
                for (int q = 0; q < qSlivers; q++) {
                    LOOPS.microKernelPackedB(values, r * s + k0 * MR, sc.scores, (long) q * KEYS * NR * 4, kn, sc.acc,
                            ((long) r * TILE + q * NR) * 4, TILE * 4L, Math.min(MR, dv - r), Math.min(NR, tn - q * NR),
                            k0 > 0, sc.tile, inPlace ? null : sc.sliver);
                }
            }
        }
        for (int r = 0; r < tn; r++) {
            long at = (((long) b * t + t0 + r) * cv + (long) h * dv) * 4;
            float sum = sc.sums[r];
            for (int d = 0; d < dv; d++) od.set(F32_LE, at + d * 4L, sc.acc.get(F32_LE, ((long) d * TILE + r) * 4) / sum);
        }
    }

    /** O^T *= the block's rescale factors, skipped when no query's maximum rose. */
    private static void rescale(Scratch sc, int dv) {
        for (float f : sc.rescale) {
            if (f != 1f) {
                LOOPS.scaleColumns(sc.acc, 0, dv, TILE, TILE, sc.rescale);
                return;
            }
        }
    }
}
