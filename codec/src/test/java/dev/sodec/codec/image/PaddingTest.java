package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void padPlacesPixelsAndCropInverts() {
        float[] v = new float[3 * 2 * 3];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        Tensor x = Tensor.fromFloats(v, 1, 3, 2, 3);
        Padding p = new Padding(1, 2, 0, 1);
        Tensor padded = p.pad(x);
        assertArrayEquals(new int[] {1, 3, 5, 4}, padded.shape());
        float[] d = padded.toFloatArray();
        assertEquals(0f, d[0]);
        assertEquals(1f, d[2 * 4 + 1]); // channel 0, row 2, col 1
        assertEquals(7f, d[20 + 2 * 4 + 1]); // channel 1 starts at 7
        assertEquals(0f, d[4 * 4 + 1]); // bottom padding row
        assertArrayEquals(v, p.crop(padded).toFloatArray());
    }
}
