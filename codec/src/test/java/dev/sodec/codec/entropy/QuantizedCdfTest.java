package dev.sodec.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** pmf_to_quantized_cdf against a literal transcription of the reference algorithm (quadratic donor scan). */
class QuantizedCdfTest {

    /** The reference as the golden notes describe it, step by step, on a cdf array. */
    static int[] naive(float[] pmf) {
        int n = pmf.length;
        long[] cdf = new long[n + 1];
        for (int i = 0; i < n; i++) cdf[i + 1] = Math.round(Math.floor((double) (pmf[i] * 65536f) + 0.5));
        long total = 0;
        for (long c : cdf) total += c;
        for (int i = 0; i <= n; i++) cdf[i] = (65536L * cdf[i]) / total;
        for (int i = 1; i <= n; i++) cdf[i] += cdf[i - 1];
        cdf[n] = 65536;
        for (int i = 0; i < n; i++) {
            if (cdf[i] == cdf[i + 1]) {
                long best = Long.MAX_VALUE;
                int steal = -1;
                for (int j = 0; j < n; j++) {
                    long f = cdf[j + 1] - cdf[j];
                    if (f > 1 && f < best) {
                        best = f;
                        steal = j;
                    }
                }
                if (steal < i) {
                    for (int j = steal + 1; j <= i; j++) cdf[j]--;
                } else {
                    for (int j = i + 1; j <= steal; j++) cdf[j]++;
                }
            }
        }
        int[] out = new int[n + 1];
        for (int i = 0; i <= n; i++) out[i] = (int) cdf[i];
        return out;
    }

    @Test
    void equalsTheReferenceAlgorithmOnRandomPmfs() {
        Random r = new Random(1234);
        for (int iter = 0; iter < 3000; iter++) {
            int n = 1 + r.nextInt(iter % 10 == 0 ? 3000 : 60);
            float[] pmf = new float[n];
            int kind = iter % 4;
            for (int i = 0; i < n; i++) {
                pmf[i] = switch (kind) {
                    case 0 -> r.nextFloat();
                    case 1 -> r.nextInt(3) == 0 ? 0f : (float) Math.exp(-20 * r.nextDouble()); // many zero counts
                    case 2 -> (float) Math.exp(-0.5 * Math.pow((i - n / 2.0) / (1 + n / 8.0), 2)) / n; // Gaussian-like
                    default -> i == 0 ? 1f : 1e-7f * r.nextFloat(); // one dominant symbol, the rest steal
                };
            }
            if (kind == 1) pmf[r.nextInt(n)] = 0.5f;
            int[] got = QuantizedCdf.fromPmf(pmf);
            assertArrayEquals(naive(pmf), got, "iteration " + iter + " n " + n);
            assertEquals(0, got[0]);
            assertEquals(65536, got[n]);
            for (int i = 0; i < n; i++) assertTrue(got[i + 1] > got[i], "strictly increasing");
        }
    }

    @Test
    void roundsHalfAwayFromZeroOnTheFloatProduct() {
        // 2.5 counts round to 3 (C roundf), not 2 (rint): counts [3, 65536] -> 65536 * 3 / 65539 = 2; with rint it
        // would be 65536 * 2 / 65538 = 1.
        float[] pmf = {2.5f / 65536, 1f};
        int[] cdf = QuantizedCdf.fromPmf(pmf);
        assertArrayEquals(new int[] {0, 2, 65536, 65536 + 0}, new int[] {cdf[0], cdf[1], cdf[2], 65536});
        assertArrayEquals(naive(pmf), cdf);
    }

    @Test
    void rejectsInvalidPmfs() {
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {0.5f, Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {0.5f, -0.1f}));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {0.5f, Float.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {0f, 0f}));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {3e38f, 3e38f}));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[65537]));
    }

    @Test
    void aHostilePmfOfZerosIsFast() {
        // 65536 symbols, one non-zero: every other symbol steals a count. Quadratic in the reference; fine here.
        float[] pmf = new float[65536];
        pmf[100] = 1f;
        int[] cdf = QuantizedCdf.fromPmf(pmf);
        // 2^16 symbols in 2^16 counts: every symbol ends with exactly one count.
        for (int i = 0; i < pmf.length; i++) assertEquals(1, cdf[i + 1] - cdf[i], "symbol " + i);
    }
}
