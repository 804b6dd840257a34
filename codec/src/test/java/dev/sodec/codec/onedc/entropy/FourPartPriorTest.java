package dev.sodec.codec.onedc.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.entropy.CorruptStreamException;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The four-part prior's entropy logic against the golden case {@code onedc.four_part.n32}, without OneDC's networks.
 * Step 0 runs from the case's own params, so its symbols, scales and indexes are checked exactly. The params of steps
 * 1..3 come from networks; a replaying {@link SpatialPrior} rebuilds them from the case's outputs instead: the scales
 * of step k at its coded positions are the case's scales_k (bit for bit), the means are y_hat - q there (equal to the
 * reference's means up to one float rounding, far inside the case's 1e-4 rounding margin). With those, symbols,
 * scales, indexes and the y stream must equal the reference exactly, y_hat within the case's tolerance, and the
 * decoder must rebuild y_hat from the reference's stream. The replay also checks that each step is handed the y_hat of
 * exactly the positions coded before it (the step order and masks).
 */
class FourPartPriorTest {
    private static GoldenCase open() throws Exception {
        return GoldenCase.open(Path.of(System.getProperty("sodec.shared")).resolve("golden").resolve("onedc.four_part.n32"));
    }

    /** Replays step params rebuilt from the case's outputs and checks what each step is given. */
    private static final class Replay implements SpatialPrior {
        final int n, h, w, plane;
        final float[] yHat;
        final float[][] stepParams = new float[4][];
        final Tensor params0;
        int calls;

        Replay(GoldenCase c) {
            params0 = c.input("params");
            int[] s = c.input("y").shape();
            n = s[1];
            h = s[2];
            w = s[3];
            plane = n / 4 * h * w;
            yHat = c.expected("y_hat").toFloatArray();
            for (int k = 1; k < 4; k++) {
                float[] scales = c.expected("scales_" + k).toFloatArray();
                int[] symbols = c.expected("symbols_" + k).toIntArray();
                float[] p = new float[2 * n * h * w];
                Arrays.fill(p, 0, n * h * w, 1f); // scales of positions not coded at this step: any value
                for (int i = 0; i < n * h * w; i++) {
                    int g = i / plane, o = i % plane, pos = i % (h * w);
                    if (FourPartPrior.coded(k, g, pos / w, pos % w)) {
                        p[i] = scales[o];
                        p[n * h * w + i] = yHat[i] - symbols[o];
                    }
                }
                stepParams[k] = p;
            }
        }

        @Override
        public Tensor reduce(Tensor params) {
            assertArrayEquals(params0.toFloatArray(), params.toFloatArray(), "reduce gets the step-0 params");
            return Tensor.fromFloats(new float[n * h * w], 1, n, h, w);
        }

        @Override
        public Tensor stepParams(int step, Tensor yHatSoFar, Tensor common) {
            assertEquals(++calls, step, "steps run in order 1, 2, 3");
            assertArrayEquals(new int[] {1, n, h, w}, yHatSoFar.shape());
            float[] got = yHatSoFar.toFloatArray();
            for (int i = 0; i < got.length; i++) {
                int g = i / plane, pos = i % (h * w);
                boolean before = false;
                for (int k = 0; k < step; k++) before |= FourPartPrior.coded(k, g, pos / w, pos % w);
                if (before) assertEquals(yHat[i], got[i], 2e-3f, "y_hat so far at " + i + " before step " + step);
                else assertEquals(0f, got[i], "position " + i + " not coded before step " + step + " must be 0");
            }
            return Tensor.fromFloats(stepParams[step].clone(), 1, 2 * n, h, w);
        }
    }

    @Test
    void encoderMatchesTheReference() throws Exception {
        try (GoldenCase c = open()) {
            Replay replay = new Replay(c);
            FourPartPrior prior = FourPartPrior.forShape(c.input("y").shape());
            FourPartPrior.Encoded e = prior.compress(c.input("y"), c.input("params"), replay);
            assertEquals(3, replay.calls);
            for (int k = 0; k < 4; k++) {
                assertArrayEquals(c.expected("symbols_" + k).toIntArray(), e.symbols()[k], "symbols_" + k);
                assertArrayEquals(c.expected("indexes_" + k).toIntArray(), e.indexes()[k], "indexes_" + k);
                int[] expBits = bits(c.expected("scales_" + k).toFloatArray()), gotBits = bits(e.scales()[k]);
                assertArrayEquals(expBits, gotBits, "scales_" + k + " bit for bit");
            }
            assertArrayEquals(bytes(c.expected("y_stream")), e.stream(), "y stream");
            assertWithin(c, "y_hat", e.yHat().toFloatArray());
        }
    }

    @Test
    void decoderRebuildsYHatFromTheReferenceStream() throws Exception {
        try (GoldenCase c = open()) {
            FourPartPrior prior = FourPartPrior.forShape(c.input("y").shape());
            Tensor yHat = prior.decompress(bytes(c.expected("y_stream")), c.input("params"), new Replay(c));
            assertWithin(c, "y_hat_dec", yHat.toFloatArray());
        }
    }

    @Test
    void decoderRefusesATruncatedOrExtendedStream() throws Exception {
        try (GoldenCase c = open()) {
            FourPartPrior prior = FourPartPrior.forShape(c.input("y").shape());
            byte[] s = bytes(c.expected("y_stream"));
            CorruptStreamException cut = assertThrows(CorruptStreamException.class,
                    () -> prior.decompress(Arrays.copyOf(s, s.length - 7), c.input("params"), new Replay(c)));
            assertTrue(cut.getMessage().contains("OneDC rANS"), cut.getMessage());
            assertThrows(CorruptStreamException.class,
                    () -> prior.decompress(Arrays.copyOf(s, s.length + 1), c.input("params"), new Replay(c)));
        }
    }

    @Test
    void meansOnlyIsTheMeansOfEachStep() throws Exception {
        try (GoldenCase c = open()) {
            // z-only: y_hat = means of each step at its positions; with the replay's means rebuilt from the coded
            // symbols, y_hat - meansOnly is exactly the symbol plane (up to rounding).
            FourPartPrior prior = FourPartPrior.forShape(c.input("y").shape());
            Replay replay = new Replay(c);
            float[] means = prior.meansOnly(c.input("params"), new SpatialPrior() {
                @Override
                public Tensor reduce(Tensor params) { return replay.reduce(params); }

                @Override
                public Tensor stepParams(int step, Tensor yHatSoFar, Tensor common) {
                    return Tensor.fromFloats(replay.stepParams[step].clone(), 1, 2 * replay.n, replay.h, replay.w);
                }
            }).toFloatArray();
            float[] p0 = c.input("params").toFloatArray();
            int n = replay.n * replay.h * replay.w;
            for (int i = 0; i < n; i++) {
                int g = i / replay.plane, o = i % replay.plane, pos = i % (replay.h * replay.w);
                int step = -1;
                for (int k = 0; k < 4; k++) if (FourPartPrior.coded(k, g, pos / replay.w, pos % replay.w)) step = k;
                float mu = step == 0 ? p0[n + i] : replay.stepParams[step][n + i];
                assertEquals(mu, means[i], "means-only y_hat at " + i + " (step " + step + ", symbol " + o + ")");
            }
        }
    }

    @Test
    void everyPositionOfEveryChannelIsCodedExactlyOnce() {
        for (int g = 0; g < 4; g++) {
            for (int r = 0; r < 2; r++) {
                for (int col = 0; col < 2; col++) {
                    int count = 0;
                    for (int k = 0; k < 4; k++) if (FourPartPrior.coded(k, g, r, col)) count++;
                    assertEquals(1, count, "group " + g + " position (" + r + "," + col + ")");
                }
            }
        }
        // and at every step each position is coded by exactly one group (so the written plane is well defined)
        for (int k = 0; k < 4; k++) {
            for (int pos = 0; pos < 4; pos++) {
                int count = 0;
                for (int g = 0; g < 4; g++) if (FourPartPrior.coded(k, g, pos / 2, pos % 2)) count++;
                assertEquals(1, count, "step " + k + " position " + pos);
            }
        }
    }

    private static void assertWithin(GoldenCase c, String name, float[] got) {
        Tensor exp = c.expected(name);
        double[] tol = c.tolerance(name);
        Comparison cmp = Comparison.compare(name, Tensor.fromFloats(got, exp.shape()), exp, tol[0], tol[1]);
        assertTrue(cmp.pass(), name + ": " + cmp);
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i] + 0f); // +0f: -0 and 0 are the same scale
        return b;
    }

    static byte[] bytes(Tensor t) {
        return t.contiguous().data().toArray(ValueLayout.JAVA_BYTE);
    }
}
