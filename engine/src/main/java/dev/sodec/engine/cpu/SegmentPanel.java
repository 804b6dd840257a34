package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import java.lang.foreign.MemorySegment;

/** A GEMM operand stored in an F32 segment; element (r, p) of the operand lives at a strided float index. */
final class SegmentPanel {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    private SegmentPanel() {}

    /** Element (r, p) at {@code off + r * ld + p}: a row-major operand read along K (A, or B transposed). */
    static Panel rowMajor(MemorySegment seg, long off, int ld) {
        return (dst, o, width, r0, rows, p0, kc) -> {
            // Bulk-copy each row's K run into an array, then scatter: far cheaper than per-element segment reads.
            float[] run = new float[kc];
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(seg, F32_LE, (off + (long) (r0 + r) * ld + p0) * 4, run, 0, kc);
                for (int p = 0, d = o + r; p < kc; p++, d += width) dst[d] = run[p];
            }
            for (int r = rows; r < width; r++) {
                for (int p = 0, d = o + r; p < kc; p++, d += width) dst[d] = 0f;
            }
        };
    }

    /** Element (r, p) at {@code off + p * ld + r}: contiguous along r (A transposed, or B as stored). */
    static Panel kMajor(MemorySegment seg, long off, int ld) {
        return (dst, o, width, r0, rows, p0, kc) -> {
            for (int p = 0; p < kc; p++) {
                int d = o + p * width;
                LOOPS.copyRun(seg, (off + (long) (p0 + p) * ld + r0) * 4, dst, d, rows);
                for (int r = rows; r < width; r++) dst[d + r] = 0f;
            }
        };
    }
}
