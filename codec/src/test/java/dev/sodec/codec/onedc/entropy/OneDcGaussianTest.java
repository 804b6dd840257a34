package dev.sodec.codec.onedc.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.entropy.CdfTables;
import org.junit.jupiter.api.Test;

/** Invariants of OneDC's Gaussian tables and scale index (exact values: the golden cases). */
class OneDcGaussianTest {
    @Test
    void indexIsAMonotoneFloorOverTheWholeFloatRange() {
        int prev = 0;
        for (float s = 1e-8f; s < 1e4f; s *= 1.0001f) {
            int i = OneDcGaussian.scaleIndex(s);
            assertTrue(i >= prev && i <= 255, "index " + i + " at " + s);
            prev = i;
        }
        assertEquals(255, prev);
        assertEquals(0, OneDcGaussian.scaleIndex(0f));
        assertEquals(0, OneDcGaussian.scaleIndex(-1f));
        assertEquals(0, OneDcGaussian.scaleIndex(Float.NEGATIVE_INFINITY));
        assertEquals(0, OneDcGaussian.scaleIndex(Float.NaN), "x86 reference: int(NaN) -> INT_MIN -> int16 0");
        assertEquals(255, OneDcGaussian.scaleIndex(Float.POSITIVE_INFINITY));
        // each table scale maps to its own row or (float rounding of the log) the one below
        float[] t = OneDcGaussian.scaleTable();
        for (int k = 0; k < t.length; k++) {
            int i = OneDcGaussian.scaleIndex(t[k]);
            assertTrue(i == k || i == k - 1, "scale " + t[k] + " of row " + k + " -> " + i);
        }
    }

    @Test
    void rowsWidenWithTheScale() {
        CdfTables t = OneDcGaussian.tables();
        assertEquals(256, t.rows());
        assertEquals(103, t.stride());
        assertEquals(7, t.length(0), "scale 0.11: centre 2");
        assertEquals(103, t.length(255), "scale 64: centre capped at 50");
        for (int k = 0; k < 256; k++) {
            int c = -t.offset(k);
            assertEquals(2 * c + 3, t.length(k), "row " + k);
            if (k > 0) assertTrue(t.length(k) >= t.length(k - 1), "row " + k + " narrower than row " + (k - 1));
        }
    }
}
