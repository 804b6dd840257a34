package dev.sodec.codec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BdRateTest {
    /** Test = anchor at 80 % of the rate at every quality: exactly -20 %, whatever the curve's shape. */
    @Test
    void aConstantRateRatioIsItsOwnBdRate() {
        double[] q = {30, 32, 34, 36, 38};
        double[] ra = new double[5], rt = new double[5];
        for (int i = 0; i < 5; i++) {
            ra[i] = Math.exp(0.3 * q[i] - 0.002 * q[i] * q[i]); // log-rate quadratic in quality: the cubic fit is exact
            rt[i] = 0.8 * ra[i];
        }
        assertEquals(-20.0, BdRate.bdRate(ra, q, rt, q), 1e-9);
        assertEquals(25.0, BdRate.bdRate(rt, q, ra, q), 1e-9);
    }

    /**
     * log R_test(q) = log R_anchor(q) + a + b q: over the common interval [30, 36] the mean log difference is
     * a + 33 b (by hand), so BD-rate = exp(a + 33 b) - 1.
     */
    @Test
    void aLinearLogDifferenceAveragesAtTheIntervalsMiddle() {
        double a = 0.5, b = -0.02;
        double[] qa = {28, 30, 32, 34, 36}, qt = {30, 31, 33, 35, 37, 38};
        double[] ra = new double[qa.length], rt = new double[qt.length];
        for (int i = 0; i < qa.length; i++) ra[i] = Math.exp(0.2 * qa[i]);
        for (int i = 0; i < qt.length; i++) rt[i] = Math.exp(0.2 * qt[i] + a + b * qt[i]);
        assertEquals((Math.exp(a + 33 * b) - 1) * 100, BdRate.bdRate(ra, qa, rt, qt), 1e-9);
    }

    /**
     * The example curves common to Bjøntegaard implementations (four points each, VCEG-M33 style), against the values
     * numpy gives for the reference algorithm (np.polyfit degree 3, np.polyint, natural log):
     * BD-rate 31.39737405490941 %, BD-PSNR -1.1848979217703248 dB; and a least-squares case of 6 and 5 points.
     */
    @Test
    void matchesTheReferenceAlgorithm() {
        double[] r1 = {686.76, 309.58, 157.11, 85.95}, p1 = {40.28, 37.18, 34.24, 31.42};
        double[] r2 = {893.34, 407.8, 204.93, 112.75}, p2 = {40.39, 37.21, 34.17, 31.24};
        assertEquals(31.39737405490941, BdRate.bdRate(r1, p1, r2, p2), 1e-8);
        assertEquals(-1.1848979217703248, BdRate.bdQuality(r1, p1, r2, p2), 1e-9);
        double[] r3 = {9487.76, 4593.60, 2486.44, 1358.24}, p3 = {40.037, 38.615, 36.845, 34.851};
        double[] r4 = {9787.80, 4469.00, 2451.52, 1356.24}, p4 = {40.121, 38.651, 36.970, 34.987};
        assertEquals(-4.420462706245121, BdRate.bdRate(r3, p3, r4, p4), 1e-8);
        assertEquals(0.12040941911462094, BdRate.bdQuality(r3, p3, r4, p4), 1e-9);
        double[] r5 = {0.1, 0.15, 0.22, 0.3, 0.45, 0.6}, p5 = {26.1, 27.3, 28.4, 29.5, 30.9, 31.8};
        double[] r6 = {0.12, 0.2, 0.25, 0.35, 0.5}, p6 = {27.0, 28.6, 29.2, 30.6, 31.9};
        assertEquals(-13.270633797449548, BdRate.bdRate(r5, p5, r6, p6), 1e-8);
        assertEquals(0.461241055491982, BdRate.bdQuality(r5, p5, r6, p6), 1e-9);
    }

    @Test
    void twoPointsFitAStraightLine() {
        assertEquals(1, BdRate.degree(2));
        assertEquals(3, BdRate.degree(9));
        // log-rate linear in quality on both curves, test shifted by log(0.5): -50 %
        double[] q = {30, 34}, ra = {Math.exp(1), Math.exp(2)}, rt = {0.5 * Math.exp(1), 0.5 * Math.exp(2)};
        assertEquals(-50.0, BdRate.bdRate(ra, q, rt, q), 1e-9);
    }

    @Test
    void curvesThatCannotBeComparedAreRefused() {
        double[] r = {1, 2, 3};
        String m = assertThrows(IllegalArgumentException.class, () -> BdRate.bdRate(r, new double[] {20, 21, 22}, r, new double[] {30, 31, 32})).getMessage();
        assertTrue(m.contains("do not overlap"), m);
        assertThrows(IllegalArgumentException.class, () -> BdRate.bdRate(new double[] {1}, new double[] {30}, r, new double[] {30, 31, 32}));
        assertThrows(IllegalArgumentException.class, () -> BdRate.bdRate(new double[] {0, 1}, new double[] {30, 31}, r, new double[] {30, 31, 32}));
    }
}
