package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The GEMM-based GDN against a direct double-precision evaluation of the definition, and across thread counts. */
class CpuGdnTest {
    private static Tensor random(SplittableRandom r, float lo, float hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * (float) r.nextDouble();
        return Tensor.fromFloats(v, shape);
    }

    private static float[] naive(Tensor x, Tensor beta, Tensor gamma, boolean inverse) {
        int nb = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        float[] xv = x.toFloatArray(), bv = beta.toFloatArray(), gv = gamma.toFloatArray(), y = new float[xv.length];
        for (int b = 0; b < nb; b++) {
            for (int i = 0; i < c; i++) {
                for (int s = 0; s < hw; s++) {
                    double norm = bv[i];
                    for (int j = 0; j < c; j++) {
                        double v = xv[(b * c + j) * hw + s];
                        norm += gv[i * c + j] * v * v;
                    }
                    double xi = xv[(b * c + i) * hw + s];
                    y[(b * c + i) * hw + s] = (float) (inverse ? xi * Math.sqrt(norm) : xi / Math.sqrt(norm));
                }
            }
        }
        return y;
    }

    @Test
    void matchesDefinitionAndIsThreadCountIndependent() {
        SplittableRandom r = new SplittableRandom(4);
        // 37 channels and a 13x11 plane: ragged against every vector width and GEMM block
        Tensor x = random(r, -2, 2, 2, 37, 13, 11), beta = random(r, 0.5f, 1.5f, 37), gamma = random(r, 0, 0.2f, 37, 37);
        for (boolean inverse : new boolean[] {false, true}) {
            float[] exp = naive(x, beta, gamma, inverse);
            float[] one;
            try (Eager e1 = new Eager(new CpuBackend(1))) {
                one = e1.gdn(x, beta, gamma, inverse).toFloatArray();
            }
            double err = 0, ref = 0, maxAbs = 0;
            for (int i = 0; i < exp.length; i++) {
                err += (one[i] - exp[i]) * (double) (one[i] - exp[i]);
                ref += exp[i] * (double) exp[i];
                maxAbs = Math.max(maxAbs, Math.abs(one[i] - exp[i]));
            }
            assertTrue(Math.sqrt(err / ref) < 1e-6, "rel_l2 " + Math.sqrt(err / ref));
            assertTrue(maxAbs < 1e-5, "max_abs " + maxAbs);
            try (Eager e3 = new Eager(new CpuBackend(3))) {
                assertArrayEquals(one, e3.gdn(x, beta, gamma, inverse).toFloatArray());
            }
        }
    }

    @Test
    void refusesParametersOfTheWrongSize() {
        try (Eager p = new Eager(new CpuBackend(1))) {
            assertThrows(IllegalArgumentException.class,
                    () -> p.gdn(Tensor.zeros(1, 4, 2, 2), Tensor.zeros(3), Tensor.zeros(4, 4), false));
            assertThrows(IllegalArgumentException.class,
                    () -> p.gdn(Tensor.zeros(1, 4, 2, 2), Tensor.zeros(4), Tensor.zeros(4, 3), false));
        }
    }
}
