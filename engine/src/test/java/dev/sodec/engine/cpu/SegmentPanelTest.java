package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SegmentPanelTest {
    @Test
    void rowMajorSliversHoldTheirRowsKMajorAndZeroPastTheValidRows() {
        // a 21 x 700 operand inside a segment (offset 3, row stride 705), packed as full and partial slivers of
        // widths 8 and 32 over a K range that starts inside the rows
        int rows = 21, ld = 705, off = 3, p0 = 5, kc = 611;
        float[] data = new float[off + rows * ld];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 7f;
        Panel panel = SegmentPanel.rowMajor(Tensor.fromFloats(data, data.length).data(), off, ld);
        for (int[] c : new int[][] {{8, 0, 8}, {8, 13, 8}, {8, 16, 5}, {32, 0, 21}, {32, 2, 19}}) {
            int width = c[0], r0 = c[1], valid = c[2], at = 6;
            float[] dst = new float[at + width * kc + 4];
            Arrays.fill(dst, Float.NaN);
            panel.pack(dst, at, width, r0, valid, p0, kc);
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < width; r++) {
                    float want = r < valid ? data[off + (r0 + r) * ld + p0 + p] : 0f;
                    assertEquals(want, dst[at + p * width + r], "width " + width + " r0 " + r0 + " at (" + r + ", " + p + ")");
                }
            }
            assertEquals(Float.NaN, dst[at - 1], "nothing before the sliver");
            assertEquals(Float.NaN, dst[at + width * kc], "nothing after it");
        }
    }
}
