package dev.sodec.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The GEMM for products whose operands are each either a {@link PackedWeight} or small enough to pack whole (every K
 * block) up front: a UNet's low levels, where a conv has 16 or 64 output pixels against 1280 channels and K = 11520,
 * and linears over 16-64 tokens. {@link GemmDriver}'s loop packs per K block and meets its threads at two barriers
 * per block (23 blocks at K = 11520); here every operand is ready before one parallel pass over the C tiles, each
 * tile running all K blocks itself, so the weight streams from memory with nothing in between.
 *
 * <p>Per C element the arithmetic is {@link GemmDriver}'s: K blocks in order, an FMA chain inside each, added into
 * C after each block, the epilogue after the last; each element belongs to one tile. So the bits are the same as
 * on the blocked path and do not depend on the thread count.
 */
final class WholeKGemm {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;
    private static final int MR = GemmDriver.MR, NR = GemmDriver.NR, KC = GemmDriver.KC;

    /** Floats of one operand packed whole (4 MiB): the same bound as {@link GemmDriver#KEEP_A_MAX}. */
    static final long WHOLE_MAX = GemmDriver.KEEP_A_MAX;

    private WholeKGemm() {}

    /** Whether this path takes the product: each operand packed already or at most {@link #WHOLE_MAX} floats. */
    static boolean applies(int m, int n, int k, Panel a, Panel b) {
        return (a instanceof PackedWeight || (long) GemmDriver.roundUp(m, MR) * k <= WHOLE_MAX)
                && (b instanceof PackedWeight || (long) GemmDriver.roundUp(n, NR) * k <= WHOLE_MAX)
                && (a instanceof PackedWeight || b instanceof PackedWeight);
    }

    /** C (+)= A B as {@link GemmDriver#run}; {@code wa}/{@code wb} hold at least the whole packed A/B when not packed. */
    static void run(Parallel par, int m, int n, int k, Panel a, Panel b, MemorySegment c, long cOff, int ldc,
                    boolean accumulate, GemmDriver.TileInit init, GemmDriver.TileEpilogue epilogue, float[] wa,
                    float[] wb) {
        // a PackedWeight is read where it lies
        PackedWeight packedA = PackedWeight.of(a), packedB = PackedWeight.of(b);
        int mPad = GemmDriver.roundUp(m, MR), nPad = GemmDriver.roundUp(n, NR);
        int kBlocks = (k + KC - 1) / KC;
        int aSlivers = a instanceof PackedWeight ? 0 : mPad / MR, bSlivers = b instanceof PackedWeight ? 0 : nPad / NR;
        // sliver s of K block p0 at rowsPad * p0 + r * kc: the layout of PackedWeight and of GemmDriver's kept A
        Parallel.RangeBody pack = (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                int perBlock = aSlivers + bSlivers, p0 = (s / perBlock) * KC, kc = Math.min(KC, k - p0), i = s % perBlock;
                if (i < aSlivers) {
                    int r = i * MR;
                    a.pack(wa, mPad * p0 + r * kc, MR, r, Math.min(MR, m - r), p0, kc);
                } else {
                    int r = (i - aSlivers) * NR;
                    b.pack(wb, nPad * p0 + r * kc, NR, r, Math.min(NR, n - r), p0, kc);
                }
            }
        };
        int packs = (aSlivers + bSlivers) * kBlocks;
        if ((long) (aSlivers * MR + bSlivers * NR) * k < GemmDriver.PARALLEL_PACK_MIN) {
            pack.run(0, packs);
        } else {
            par.forRange(packs, 4, pack);
        }
        GemmDriver.Tiles tiles = GemmDriver.Tiles.of(par, m, n, (long) m * n * k);
        int tilesN = tiles.tilesN(), tmc = tiles.mc(), tnc = tiles.nc();
        long ldcBytes = (long) ldc * 4;
        boolean inPlace = LOOPS.readsPackedInPlace();
        Parallel.RangeBody compute = (t0, t1) -> {
            float[] tile = new float[MR * NR];
            float[] aSliver = packedA != null ? new float[MR * KC] : null;
            float[] sliver = packedB != null && !inPlace ? new float[NR * KC] : null;
            for (int t = t0; t < t1; t++) {
                int ti = (t / tilesN) * tmc, tj = (t % tilesN) * tnc;
                int iEnd = Math.min(m, ti + tmc), jEnd = Math.min(n, tj + tnc);
                if (init != null) init.apply(c, (cOff + (long) ti * ldc + tj) * 4, ldcBytes, iEnd - ti, jEnd - tj);
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int kc = Math.min(KC, k - p0);
                    boolean add = accumulate || init != null || p0 > 0;
                    GemmDriver.TileEpilogue epi = p0 + kc >= k ? epilogue : null;
                    for (int ir = ti; ir < iEnd; ir += MR) {
                        int mr = Math.min(MR, iEnd - ir);
                        long rowOff = (cOff + (long) ir * ldc) * 4;
                        float[] aArr = wa;
                        int aAt = mPad * p0 + ir * kc;
                        if (packedA != null) {
                            PackedWeight.copySliver(packedA, p0, ir, kc, aSliver);
                            aArr = aSliver;
                            aAt = 0;
                        }
                        for (int jr = tj; jr < jEnd; jr += NR) {
                            int nr = Math.min(NR, jEnd - jr);
                            long cAt = rowOff + jr * 4L;
                            if (packedB != null) {
                                LOOPS.microKernelPackedB(aArr, aAt, packedB.segment(),
                                        packedB.byteOffset(p0, jr, kc), kc, c, cAt, ldcBytes, mr, nr, add, tile, sliver);
                            } else {
                                LOOPS.microKernel(aArr, aAt, wb, nPad * p0 + jr * kc, kc, c, cAt,
                                        ldcBytes, mr, nr, add, tile);
                            }
                            if (epi != null) epi.apply(c, cAt, ldcBytes, mr, nr);
                        }
                    }
                }
            }
        };
        tiles.run(par, compute);
    }
}
