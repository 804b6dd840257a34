package dev.sodec.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernel: an MR x NR block of C (8 rows x 2 vectors) held in 16 accumulators while K
 * runs over packed slivers: per K step two vector loads of B, eight broadcasts of A, sixteen FMAs. Unrolled by
 * hand because the accumulators must stay in registers. Keep {@link #run} small: at ~1600 bytecodes C1 could not
 * compile it (linear scan ran out of virtual registers), so it never got profiled into C2 and ran without
 * Vector API intrinsics, 50x slower.
 */
final class VectorMicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    static final int MR = CpuLoops.MR;
    static final int NR = 2 * VL;
    /** Bytes from a row's first vector to its second. */
    private static final long VB = VL * 4L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE_ORDER = ByteOrder.nativeOrder();

    private VectorMicroKernel() {}

    /**
     * C block at byte offset {@code cOff} (row stride {@code ldcBytes}) = (add ? C : 0) + A sliver x B sliver,
     * writing only the valid {@code mr} x {@code nr} corner; {@code tile} is MR x NR scratch.
     */
    static void run(float[] a, int aOff, float[] b, int bOff, int kc, MemorySegment c, long cOff, long ldcBytes,
                    int mr, int nr, boolean add, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // Indices derived from p (not separate induction variables) so C2 eliminates the range checks.
            int ai = aOff + p * MR, bi = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        // Spill to the tile buffer with plain array stores: passing vectors to a non-inlined helper would box
        // them and drag boxing into the loop.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VL);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + VL);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + VL);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + VL);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + VL);
        writeTile(tile, c, cOff, ldcBytes, mr, nr, add);
    }

    /**
     * {@link #run} for a full MR x NR tile, stored from the registers: through the tile buffer the store cost a
     * quarter of a call at K = 40 (attention's scores). Its own method because {@link #run} with both stores grew
     * past what C1 can compile.
     */
    static void runFull(float[] a, int aOff, float[] b, int bOff, int kc, MemorySegment c, long cOff, long ldcBytes,
                        boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // Indices derived from p (not separate induction variables) so C2 eliminates the range checks.
            int ai = aOff + p * MR, bi = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        if (add) {
            long o = cOff;
            c00 = FloatVector.fromMemorySegment(S, c, o, LE).add(c00);
            c01 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c01);
            o += ldcBytes;
            c10 = FloatVector.fromMemorySegment(S, c, o, LE).add(c10);
            c11 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c11);
            o += ldcBytes;
            c20 = FloatVector.fromMemorySegment(S, c, o, LE).add(c20);
            c21 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c21);
            o += ldcBytes;
            c30 = FloatVector.fromMemorySegment(S, c, o, LE).add(c30);
            c31 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c31);
            o += ldcBytes;
            c40 = FloatVector.fromMemorySegment(S, c, o, LE).add(c40);
            c41 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c41);
            o += ldcBytes;
            c50 = FloatVector.fromMemorySegment(S, c, o, LE).add(c50);
            c51 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c51);
            o += ldcBytes;
            c60 = FloatVector.fromMemorySegment(S, c, o, LE).add(c60);
            c61 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c61);
            o += ldcBytes;
            c70 = FloatVector.fromMemorySegment(S, c, o, LE).add(c70);
            c71 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c71);
        }
        long o = cOff;
        c00.intoMemorySegment(c, o, LE);
        c01.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c10.intoMemorySegment(c, o, LE);
        c11.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c20.intoMemorySegment(c, o, LE);
        c21.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c30.intoMemorySegment(c, o, LE);
        c31.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c40.intoMemorySegment(c, o, LE);
        c41.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c50.intoMemorySegment(c, o, LE);
        c51.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c60.intoMemorySegment(c, o, LE);
        c61.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c70.intoMemorySegment(c, o, LE);
        c71.intoMemorySegment(c, o + VB, LE);
    }

    /** {@link #run} with the B sliver read from a {@link PackedWeight}'s segment (byte offset {@code bOff}). */
    static void runPackedB(float[] a, int aOff, MemorySegment b, long bOff, int kc, MemorySegment c, long cOff, long ldcBytes,
                    int mr, int nr, boolean add, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // Indices derived from p (not separate induction variables) so C2 eliminates the range checks.
            int ai = aOff + p * MR;
            long bi = bOff + p * (long) (NR * 4);
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bi, NATIVE_ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bi + VL * 4L, NATIVE_ORDER);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        // Spill to the tile buffer with plain array stores: passing vectors to a non-inlined helper would box
        // them and drag boxing into the loop.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VL);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + VL);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + VL);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + VL);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + VL);
        writeTile(tile, c, cOff, ldcBytes, mr, nr, add);
    }

    /** {@link #runFull} with the B sliver read from a {@link PackedWeight}'s segment, as {@link #runPackedB}. */
    static void runPackedBFull(float[] a, int aOff, MemorySegment b, long bOff, int kc, MemorySegment c, long cOff,
                               long ldcBytes, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // Indices derived from p (not separate induction variables) so C2 eliminates the range checks.
            int ai = aOff + p * MR;
            long bi = bOff + p * (long) (NR * 4);
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bi, NATIVE_ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bi + VL * 4L, NATIVE_ORDER);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        if (add) {
            long o = cOff;
            c00 = FloatVector.fromMemorySegment(S, c, o, LE).add(c00);
            c01 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c01);
            o += ldcBytes;
            c10 = FloatVector.fromMemorySegment(S, c, o, LE).add(c10);
            c11 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c11);
            o += ldcBytes;
            c20 = FloatVector.fromMemorySegment(S, c, o, LE).add(c20);
            c21 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c21);
            o += ldcBytes;
            c30 = FloatVector.fromMemorySegment(S, c, o, LE).add(c30);
            c31 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c31);
            o += ldcBytes;
            c40 = FloatVector.fromMemorySegment(S, c, o, LE).add(c40);
            c41 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c41);
            o += ldcBytes;
            c50 = FloatVector.fromMemorySegment(S, c, o, LE).add(c50);
            c51 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c51);
            o += ldcBytes;
            c60 = FloatVector.fromMemorySegment(S, c, o, LE).add(c60);
            c61 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c61);
            o += ldcBytes;
            c70 = FloatVector.fromMemorySegment(S, c, o, LE).add(c70);
            c71 = FloatVector.fromMemorySegment(S, c, o + VB, LE).add(c71);
        }
        long o = cOff;
        c00.intoMemorySegment(c, o, LE);
        c01.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c10.intoMemorySegment(c, o, LE);
        c11.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c20.intoMemorySegment(c, o, LE);
        c21.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c30.intoMemorySegment(c, o, LE);
        c31.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c40.intoMemorySegment(c, o, LE);
        c41.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c50.intoMemorySegment(c, o, LE);
        c51.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c60.intoMemorySegment(c, o, LE);
        c61.intoMemorySegment(c, o + VB, LE);
        o += ldcBytes;
        c70.intoMemorySegment(c, o, LE);
        c71.intoMemorySegment(c, o + VB, LE);
    }

    /** C block (+)= tile, only the valid mr x nr corner. */
    private static void writeTile(float[] tile, MemorySegment c, long cOff, long ldcBytes, int mr, int nr, boolean add) {
        if (nr == NR) {
            for (int r = 0; r < mr; r++) {
                long off = cOff + r * ldcBytes;
                for (int v = 0; v < NR; v += VL) {
                    FloatVector t = FloatVector.fromArray(S, tile, r * NR + v);
                    if (add) t = FloatVector.fromMemorySegment(S, c, off + v * 4L, LE).add(t);
                    t.intoMemorySegment(c, off + v * 4L, LE);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            long off = cOff + r * ldcBytes;
            for (int v = 0; v < nr; v += VL) {
                VectorMask<Float> m = S.indexInRange(v, nr);
                FloatVector t = FloatVector.fromArray(S, tile, r * NR + v);
                if (add) t = FloatVector.fromMemorySegment(S, c, off + v * 4L, LE, m).add(t);
                t.intoMemorySegment(c, off + v * 4L, LE, m);
            }
        }
    }
}
