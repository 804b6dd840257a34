package dev.sodec.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Cache-blocked GEMM driver: C[m,n] (+)= op(A) * op(B) with both operands packed from {@link Panel}s.
 *
 * <p>Loop nest: M blocks of {@link #MB} rows x N blocks of {@link #NB} columns, then K blocks of {@link #KC}
 * (strictly in order), packing the whole A block and B block of that K step (in parallel, by sliver), then
 * computing tiles of {@link #MC} x {@link #NC} in parallel; inside a tile each MR-row A sliver (kept in L1) is
 * run against the NR-column B slivers of the tile (kept in L2). Every C element is owned by exactly one tile
 * and sees the same K sequence (K blocks in order, an FMA chain inside each block, then one add into C), so
 * results are bit-identical for any thread count.
 */
final class GemmDriver {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;
    static final int MR = CpuLoops.MR;
    static final int NR = LOOPS.nr();
    /** K block: an MR x KC A sliver is 16 KiB (L1). 512 measured ~4% faster than 256 at 2048^3 on Zen 4. */
    static final int KC = 512;
    /** Tile rows (multiple of MR): the tile's A block is MC x KC = 256 KiB. */
    static final int MC = 128;
    /** Tile columns (multiple of NR): the tile's B block is NC x KC = 256 KiB, resident in L2 beside A's. */
    static final int NC = 4 * NR;
    /** Rows packed per K step (bounds the A workspace to MB x KC = 4 MiB). */
    static final int MB = 16 * MC;
    /** Columns packed per K step (bounds the B workspace to NB x KC = 4 MiB with 16 lanes). */
    static final int NB = 16 * NC;

    /** Largest A (floats, 4 MiB) packed once and kept across column blocks. */
    static final long KEEP_A_MAX = 1 << 20;

    /** Packed floats per K step below which packing stays on the calling thread. */
    static final long PARALLEL_PACK_MIN = 1 << 16;

    /** Multiply-adds per K step below which the tiles stay on the calling thread (pool dispatch costs more). */
    static final long PARALLEL_TILES_MIN = 1 << 20;

    static final boolean WHOLE_K = Boolean.parseBoolean(System.getProperty("sodec.cpu.wholeK", "true"));

    private GemmDriver() {}

    /**
     * Packed operand buffers of one calling thread (at most 2^20 + NB x KC floats, 8 MiB), grown on demand
     * and reused across calls so small GEMMs do not allocate.
     */
    private static final class Workspace {
        float[] a = new float[0];
        float[] b = new float[0];
        /** Set while a GEMM of this thread uses the buffers (a pool thread may start another while joining). */
        boolean busy;
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * Work on a finished block of C while it is still in cache: called once per micro-tile after its last K block
     * (the fused activation / residual of a convolution or linear node).
     */
    interface TileEpilogue {
        /** The {@code rows} x {@code cols} block of C at byte offset {@code off}, rows {@code ldcBytes} apart. */
        void apply(MemorySegment c, long off, long ldcBytes, int rows, int cols);
    }

    /**
     * Fills a block of C before the product accumulates onto it (a node's bias and residual): called once per C
     * tile, just before its first K block, so the values are in cache when the kernel adds to them.
     */
    interface TileInit {
        /** The {@code rows} x {@code cols} block of C at byte offset {@code off}, rows {@code ldcBytes} apart. */
        void apply(MemorySegment c, long off, long ldcBytes, int rows, int cols);
    }

    static void run(Parallel par, int m, int n, int k, Panel a, Panel b,
                    MemorySegment c, long cOff, int ldc, boolean accumulate) {
        run(par, m, n, k, a, b, c, cOff, ldc, accumulate, null, null);
    }

    /**
     * C (+)= A B, with {@code init} (may be null) filling each tile of C first (the product then accumulates
     * onto it; {@code accumulate} must be false with one) and {@code epilogue} (may be null) run on each after its
     * last K block.
     */
    static void run(Parallel par, int m, int n, int k, Panel a, Panel b, MemorySegment c, long cOff, int ldc,
                    boolean accumulate, TileInit init, TileEpilogue epilogue) {
        if (m == 0 || n == 0) return;
        if (init != null && accumulate) throw new IllegalArgumentException("gemm: a tile init replaces accumulate");
        if (k == 0) {
            if (init != null) {
                init.apply(c, cOff * 4, (long) ldc * 4, m, n);
            } else if (!accumulate) {
                for (int i = 0; i < m; i++) c.asSlice((cOff + (long) i * ldc) * 4, (long) n * 4).fill((byte) 0);
            }
            if (epilogue != null) epilogue.apply(c, cOff * 4, (long) ldc * 4, m, n);
            return;
        }
        Workspace ws = WORKSPACE.get();
        if (ws.busy) {
            ws = new Workspace(); // re-entered from inside a parallel body on this thread: never share buffers
        }
        ws.busy = true;
        try {
            if (WHOLE_K && WholeKGemm.applies(m, n, k, a, b)) {
                int aLen = a instanceof PackedWeight ? 0 : roundUp(m, MR) * k, bLen = b instanceof PackedWeight ? 0 : roundUp(n, NR) * k;
                if (ws.a.length < aLen) ws.a = new float[aLen];
                if (ws.b.length < bLen) ws.b = new float[bLen];
                WholeKGemm.run(par, m, n, k, a, b, c, cOff, ldc, accumulate, init, epilogue, ws.a, ws.b);
            } else {
                blocked(par, m, n, k, a, b, c, cOff, ldc, accumulate, ws, init, epilogue);
            }
        } finally {
            ws.busy = false;
        }
    }

    private static void blocked(Parallel par, int m, int n, int k, Panel a, Panel b,
                                MemorySegment c, long cOff, int ldc, boolean accumulate, Workspace ws,
                                TileInit init, TileEpilogue epilogue) {
        // A short, wide product (a conv: few output channels, many pixels) would repack the same A for every
        // column block; when all of A fits, pack it once for every K block and keep it.
        int mPad = roundUp(m, MR);
        // A constant weight packed once (PackedWeight) is read by the kernel where it lies: no per-call copy.
        PackedWeight packedA = PackedWeight.of(a), packedB = PackedWeight.of(b);
        boolean keepA = !(a instanceof PackedWeight) && m <= MB && n > NB && (long) mPad * k <= KEEP_A_MAX;
        int aLen = keepA ? mPad * k : roundUp(Math.min(m, MB), MR) * Math.min(k, KC);
        int bLen = roundUp(Math.min(n, NB), NR) * Math.min(k, KC);
        if (ws.a.length < aLen) ws.a = new float[aLen];
        if (ws.b.length < bLen) ws.b = new float[bLen];
        float[] pa = ws.a, pb = ws.b;
        long ldcBytes = (long) ldc * 4;
        if (keepA) {
            int slivers = mPad / MR, kBlocks = Math.ceilDiv(k, KC);
            Parallel.RangeBody packA = (s0, s1) -> {
                for (int s = s0; s < s1; s++) {
                    int p0 = (s / slivers) * KC, kc = Math.min(KC, k - p0), r = (s % slivers) * MR;
                    a.pack(pa, mPad * p0 + r * kc, MR, r, Math.min(MR, m - r), p0, kc);
                }
            };
            if ((long) mPad * k < PARALLEL_PACK_MIN) {
                packA.run(0, slivers * kBlocks);
            } else {
                par.forRange(slivers * kBlocks, 4, packA);
            }
        }
        for (int i0 = 0; i0 < m; i0 += MB) {
            int mb = Math.min(MB, m - i0);
            for (int j0 = 0; j0 < n; j0 += NB) {
                int nb = Math.min(NB, n - j0);
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int kc = Math.min(KC, k - p0);
                    boolean add = accumulate || init != null || p0 > 0;
                    TileInit first = p0 == 0 ? init : null;
                    TileEpilogue epi = p0 + kc >= k ? epilogue : null;
                    int aSlivers = keepA || a instanceof PackedWeight ? 0 : (mb + MR - 1) / MR;
                    int bSlivers = b instanceof PackedWeight ? 0 : (nb + NR - 1) / NR;
                    // where this block's slivers start in an operand packed whole (the kept A: one row block)
                    int aBase = keepA ? mPad * p0 + i0 * kc : 0;
                    int fi0 = i0, fj0 = j0, fp0 = p0;
                    Parallel.RangeBody pack = (s0, s1) -> {
                        for (int s = s0; s < s1; s++) {
                            if (s < aSlivers) {
                                int r = s * MR;
                                a.pack(pa, r * kc, MR, fi0 + r, Math.min(MR, mb - r), fp0, kc);
                            } else {
                                int r = (s - aSlivers) * NR;
                                b.pack(pb, r * kc, NR, fj0 + r, Math.min(NR, nb - r), fp0, kc);
                            }
                        }
                    };
                    // Packing small blocks on the pool costs more in dispatch than it saves.
                    if ((long) (aSlivers * MR + bSlivers * NR) * kc < PARALLEL_PACK_MIN) {
                        pack.run(0, aSlivers + bSlivers);
                    } else {
                        par.forRange(aSlivers + bSlivers, 4, pack);
                    }
                    Tiles tiles = Tiles.of(par, mb, nb, (long) mb * nb * kc);
                    int tilesN = tiles.tilesN(), tmc = tiles.mc(), tnc = tiles.nc();
                    Parallel.RangeBody compute = (t0, t1) -> {
                        float[] tile = new float[MR * NR];
                        float[] aSliver = packedA != null ? new float[MR * KC] : null;
                        float[] sliver = packedB != null && !LOOPS.readsPackedInPlace() ? new float[NR * KC] : null;
                        for (int t = t0; t < t1; t++) {
                            int ti = (t / tilesN) * tmc, tj = (t % tilesN) * tnc;
                            int iEnd = Math.min(mb, ti + tmc), jEnd = Math.min(nb, tj + tnc);
                            if (first != null) {
                                first.apply(c, (cOff + (long) (fi0 + ti) * ldc + fj0 + tj) * 4, ldcBytes, iEnd - ti, jEnd - tj);
                            }
                            for (int ir = ti; ir < iEnd; ir += MR) {
                                int mr = Math.min(MR, iEnd - ir);
                                long rowOff = (cOff + (long) (fi0 + ir) * ldc + fj0) * 4;
                                float[] aArr = pa;
                                int aAt = aBase + ir * kc;
                                if (packedA != null) {
                                    PackedWeight.copySliver(packedA, fp0, fi0 + ir, kc, aSliver);
                                    aArr = aSliver;
                                    aAt = 0;
                                }
                                for (int jr = tj; jr < jEnd; jr += NR) {
                                    int nr = Math.min(NR, jEnd - jr);
                                    if (packedB != null) {
                                        LOOPS.microKernelPackedB(aArr, aAt, packedB.segment(),
                                                packedB.byteOffset(fp0, fj0 + jr, kc), kc, c, rowOff + jr * 4L, ldcBytes,
                                                mr, nr, add, tile, sliver);
                                    } else {
                                        LOOPS.microKernel(aArr, aAt, pb, jr * kc, kc, c, rowOff + jr * 4L,
                                                ldcBytes, mr, nr, add, tile);
                                    }
                                    if (epi != null) epi.apply(c, rowOff + jr * 4L, ldcBytes, mr, nr);
                                }
                            }
                        }
                    };
                    tiles.run(par, compute);
                }
            }
        }
    }

    /**
     * The C tiles of one product: MC x NC shrunk (never below one micro-tile) until every thread has several; tile
     * shape only decides who computes an element, never the order of its K sum. Below {@link #PARALLEL_TILES_MIN}
     * multiply-adds, or on one thread, they run on the caller.
     */
    record Tiles(int mc, int nc, int tilesM, int tilesN, boolean serial) {
        static Tiles of(Parallel par, int m, int n, long multiplyAdds) {
            int mc = MC, nc = NC;
            boolean serial = par.threads() == 1 || multiplyAdds < PARALLEL_TILES_MIN;
            int want = serial ? 1 : 4 * par.threads();
            while (nc > NR && Math.ceilDiv(m, mc) * Math.ceilDiv(n, nc) < want) nc /= 2;
            while (mc > MR && Math.ceilDiv(m, mc) * Math.ceilDiv(n, nc) < want) mc /= 2;
            return new Tiles(mc, nc, Math.ceilDiv(m, mc), Math.ceilDiv(n, nc), serial);
        }

        /** Runs {@code body} over tile indexes [0, tilesM x tilesN): tile t is row block t / tilesN, column t % tilesN. */
        void run(Parallel par, Parallel.RangeBody body) {
            if (serial) {
                body.run(0, tilesM * tilesN);
            } else {
                par.forRange(tilesM * tilesN, 1, body);
            }
        }
    }

    static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }
}
