package dev.sodec.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** erfc against reference values (C libm erfc via Python's math.erfc), relative error. */
class NormalTest {
    private static final double[][] REFERENCE = {
            {-3.0, 1.9999779095030015},
            {-1.0, 1.842700792949715},
            {-0.3, 1.3286267594591274},
            {0.0, 1.0},
            {0.001, 0.9988716212090307},
            {0.2, 0.7772974107895215},
            {0.7, 0.32219880616258156},
            {1.2, 0.08968602177036465},
            {1.4999, 0.03390674833770473},
            {1.5, 0.033894853524689274},
            {2.0, 0.004677734981047265},
            {3.3, 3.0577097964381654e-06},
            {5.0, 1.5374597944280351e-12},
            {7.5, 2.776649386030569e-26},
            {10.0, 2.088487583762545e-45},
            {15.0, 7.212994172451206e-100},
            {26.0, 5.663192408856143e-296},
    };

    @Test
    void erfcMatchesReferenceValues() {
        for (double[] r : REFERENCE) {
            double got = Normal.erfc(r[0]);
            assertEquals(0, (got - r[1]) / r[1], 1e-13, "erfc(" + r[0] + ") = " + got + ", expected " + r[1]);
        }
        assertEquals(0.0, Normal.erfc(40));
        assertEquals(2.0, Normal.erfc(-40));
        assertTrue(Double.isNaN(Normal.erfc(Double.NaN)));
    }

    @Test
    void erfcIsMonotoneAcrossTheBranchSwitch() {
        double prev = Normal.erfc(1.4);
        for (double x = 1.4; x < 1.6; x += 1e-5) {
            double v = Normal.erfc(x);
            assertTrue(v <= prev, "erfc not decreasing at " + x);
            prev = v;
        }
    }

    @Test
    void standardizedCumulativeIsTheFloatPipeline() {
        // 0.5 * erfc(-(2^-0.5) * v): Phi(0) = 0.5, Phi(-x) + Phi(x) ~ 1, the float product rounded before erfc.
        assertEquals(0.5f, Normal.standardizedCumulative(0f));
        assertEquals(1f, Normal.standardizedCumulative(1.3f) + Normal.standardizedCumulative(-1.3f), 1e-7f);
        float v = -2.75f;
        float arg = (float) -0.7071067811865476 * v;
        assertEquals((float) (0.5 * Normal.erfc(arg)), Normal.standardizedCumulative(v));
    }
}
