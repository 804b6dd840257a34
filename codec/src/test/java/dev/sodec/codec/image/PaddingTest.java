package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PaddingTest {
    @Test
    void centeredPaddingReachesTheMultiple() {
        assertEquals(new Padding(13, 1, 14, 2), Padding.centered(37, 61, 64));
        assertEquals(new Padding(0, 0, 0, 0), Padding.centered(128, 64, 64));
        assertEquals(new Padding(31, 0, 32, 0), Padding.centered(1, 64, 64));
    }

    @Test
    void padRepeatsTheEdgePixelsAndCropInverts() {
        // 3 channels of 2 rows x 3 columns, values 1..18
        float[] v = new float[3 * 2 * 3];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        Tensor x = Tensor.fromFloats(v, 1, 3, 2, 3);
        Padding p = new Padding(1, 2, 2, 1);
        Tensor padded = p.pad(x);
        assertArrayEquals(new int[] {1, 3, 5, 6}, padded.shape());
        float[] d = padded.toFloatArray();
        float[] channel0 = {
            1, 1, 2, 3, 3, 3, // two rows above: copies of row 0
            1, 1, 2, 3, 3, 3,
            1, 1, 2, 3, 3, 3, // row 0, left pixel once, right pixel twice
            4, 4, 5, 6, 6, 6, // row 1
            4, 4, 5, 6, 6, 6, // one row below: copy of row 1
        };
        assertArrayEquals(channel0, java.util.Arrays.copyOf(d, 30));
        assertEquals(7f, d[30]); // channel 1's corner is its own first pixel
        assertEquals(18f, d[3 * 30 - 1]); // channel 2's last corner
        assertArrayEquals(v, p.crop(padded).toFloatArray());
    }

    @Test
    void aOnePixelImagePadsToItsColour() {
        Tensor x = Tensor.fromFloats(new float[] {0.25f, 0.5f, 0.75f}, 1, 3, 1, 1);
        float[] d = Padding.centered(1, 1, 4).pad(x).toFloatArray();
        for (int i = 0; i < 16; i++) {
            assertEquals(0.25f, d[i]);
            assertEquals(0.5f, d[16 + i]);
            assertEquals(0.75f, d[32 + i]);
        }
    }

    @Test
    void cropOfTooMuchPaddingSaysWhatItGot() {
        Tensor x = Tensor.fromFloats(new float[3 * 4 * 4], 1, 3, 4, 4);
        String msg = assertThrows(IllegalArgumentException.class, () -> new Padding(2, 0, 2, 0).crop(x)).getMessage();
        assertTrue(msg.contains("left 2") && msg.contains("4x4"), msg);
    }
}
