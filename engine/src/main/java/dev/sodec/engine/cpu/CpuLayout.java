package dev.sodec.engine.cpu;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/** Copies that change layout: concatenation and batched transposition. */
final class CpuLayout {
    private CpuLayout() {}

    /** Concatenation of {@code xs} along resolved dimension {@code d} into y. */
    static void concat(Parallel par, int d, Tensor[] xs, Tensor y) {
        int[] os = y.shape();
        int total = os[d];
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= os[i];
        for (int i = d + 1; i < os.length; i++) inner *= os[i];
        MemorySegment yd = y.data();
        long rowOut = total * inner * 4;
        long[] pieceBytes = new long[xs.length], dstOff = new long[xs.length];
        MemorySegment[] src = new MemorySegment[xs.length];
        long acc = 0;
        for (int k = 0; k < xs.length; k++) {
            pieceBytes[k] = xs[k].dim(d) * inner * 4;
            dstOff[k] = acc;
            acc += pieceBytes[k];
            src[k] = xs[k].data();
        }
        if (outer > Integer.MAX_VALUE) throw new IllegalArgumentException("concat: too many rows");
        par.forRange((int) outer, Math.max(1, (int) (CpuElementwise.CHUNK * 4L / Math.max(rowOut, 1))), (o0, o1) -> {
            for (long o = o0; o < o1; o++) {
                for (int k = 0; k < src.length; k++) {
                    MemorySegment.copy(src[k], o * pieceBytes[k], yd, o * rowOut + dstOff[k], pieceBytes[k]);
                }
            }
        });
    }

    private static final int BLOCK = 32;

    /** Swaps the last two dims: (..., R, C) -> (..., C, R), in cache-sized blocks. */
    static void transpose(Parallel par, Tensor x, Tensor y) {
        int[] s = x.shape();
        int rows = s[s.length - 2], cols = s[s.length - 1];
        long plane = (long) rows * cols;
        long batch = plane == 0 ? 0 : x.numel() / plane;
        if (plane == 0) return;
        MemorySegment xd = x.data(), yd = y.data();
        // Work item = one block row of the output (BLOCK output rows = BLOCK input columns) of one batch entry.
        int colBlocks = (cols + BLOCK - 1) / BLOCK;
        long items = batch * colBlocks;
        if (items > Integer.MAX_VALUE) throw new IllegalArgumentException("transpose: too many blocks");
        par.forRange((int) items, 1, (i0, i1) -> {
            for (int it = i0; it < i1; it++) {
                long b = it / colBlocks;
                int c0 = (it % colBlocks) * BLOCK, c1 = Math.min(cols, c0 + BLOCK);
                long base = b * plane;
                for (int r0 = 0; r0 < rows; r0 += BLOCK) {
                    int r1 = Math.min(rows, r0 + BLOCK);
                    for (int c = c0; c < c1; c++) {
                        long dst = base + (long) c * rows;
                        for (int r = r0; r < r1; r++) {
                            yd.setAtIndex(Tensor.F32_LE, dst + r, xd.getAtIndex(Tensor.F32_LE, base + (long) r * cols + c));
                        }
                    }
                }
            }
        });
    }

    /** y = x[..., start:start+len, ...] along resolved dimension {@code d} (a non-contiguous range, copied). */
    static void sliceCopy(Parallel par, Tensor x, int d, int start, Tensor y) {
        int[] xs = x.shape();
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= xs[i];
        for (int i = d + 1; i < xs.length; i++) inner *= xs[i];
        long srcRow = xs[d] * inner * 4, dstRow = y.dim(d) * inner * 4, skip = start * inner * 4;
        MemorySegment xd = x.data(), yd = y.data();
        if (outer > Integer.MAX_VALUE) throw new IllegalArgumentException("slice: too many rows");
        par.forRange((int) outer, Math.max(1, (int) (CpuElementwise.CHUNK * 4L / Math.max(dstRow, 1))), (o0, o1) -> {
            for (long o = o0; o < o1; o++) MemorySegment.copy(xd, o * srcRow + skip, yd, o * dstRow, dstRow);
        });
    }
}
