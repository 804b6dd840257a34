package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** A GEMM operand stored in an F32 segment; element (r, p) of the operand lives at a strided float index. */
final class SegmentPanel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

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
            if (rows == width && width % VL == 0) {
                for (int p = 0; p < kc; p++) {
                    long byteOff = (off + (long) (p0 + p) * ld + r0) * 4;
                    int d = o + p * width;
                    for (int v = 0; v < width; v += VL) {
                        FloatVector.fromMemorySegment(S, seg, byteOff + v * 4L, ByteOrder.LITTLE_ENDIAN).intoArray(dst, d + v);
                    }
                }
                return;
            }
            for (int p = 0; p < kc; p++) {
                long base = off + (long) (p0 + p) * ld + r0;
                int d = o + p * width;
                for (int r = 0; r < rows; r++) dst[d + r] = seg.getAtIndex(F32_LE, base + r);
                for (int r = rows; r < width; r++) dst[d + r] = 0f;
            }
        };
    }
}
