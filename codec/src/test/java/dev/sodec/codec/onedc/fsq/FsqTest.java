package dev.sodec.codec.onedc.fsq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** FSQ invariants (exact values against the reference: the golden case onedc.fsq). */
class FsqTest {
    private final Fsq fsq = Fsq.onedc();

    @Test
    void onedcCodebookIsFourteenBits() {
        assertEquals(7, fsq.dims());
        assertEquals(1 << 14, fsq.codebookSize());
        assertEquals(14, fsq.indexBits());
    }

    @Test
    void everyIndexRoundTripsThroughItsCodes() {
        int n = fsq.codebookSize();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        float[] codes = fsq.codesOf(all);
        for (float c : codes) assertTrue(c == -1f || c == -0.5f || c == 0f || c == 0.5f, "code " + c);
        assertArrayEquals(all, fsq.indices(codes));
        // channel 0 is the least significant digit: index 1 moves channel 0 from -1 to -0.5
        float[] one = fsq.codesOf(new int[] {1});
        assertArrayEquals(new float[] {-0.5f, -1, -1, -1, -1, -1, -1}, one);
    }

    @Test
    void codesOfAnyInputAreCodesAndQuantizationIsIdempotent() {
        Random r = new Random(7);
        int n = 500;
        float[] z = new float[7 * n];
        for (int i = 0; i < z.length; i++) z[i] = (float) (r.nextGaussian() * 3);
        float[] codes = fsq.codes(z);
        int[] idx = fsq.indices(codes);
        for (int v : idx) assertTrue(v >= 0 && v < 1 << 14);
        assertArrayEquals(codes, fsq.codesOf(idx));
        // bound() is monotone and lies in (-2, 1) for 4 levels
        float[] b = fsq.bound(z);
        for (float v : b) assertTrue(v > -2.0016f && v < 1.0016f, "bound " + v);
    }

    @Test
    void tiesRoundHalfToEven() {
        // bound(z) = -shift maps to tanh(0) = 0 -> -0.5 exactly: a tie that rounds to -0 (even), code 0
        float z = -(float) (0.5 * Math.log((1 + 0.5f / (3f * 1.001f / 2f)) / (1 - 0.5f / (3f * 1.001f / 2f))));
        assertEquals(-0.5f, fsq.bound(0, z));
        assertEquals(0f, fsq.code(0, z));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> fsq.codesOf(new int[] {1 << 14}));
        assertThrows(IllegalArgumentException.class, () -> fsq.codesOf(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> fsq.indices(new float[] {0.25f, 0, 0, 0, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> fsq.codes(new float[6]));
        assertThrows(IllegalArgumentException.class, () -> new Fsq(1, 4));
        assertThrows(IllegalArgumentException.class, () -> new Fsq(65536, 65536, 4));
        assertThrows(IllegalStateException.class, () -> new Fsq(3, 4).indexBits());
    }
}
