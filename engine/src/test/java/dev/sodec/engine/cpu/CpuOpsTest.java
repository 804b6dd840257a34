package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.Tensor;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The CPU backend's non-GEMM ops on odd sizes against naive double-precision loops written here. */
class CpuOpsTest {
    private static final Eager CPU = new Eager(new CpuBackend(3));

    @AfterAll
    static void close() {
        CPU.close();
    }

    static float[] randn(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    /** |got - exp| <= abs + rel * |exp| for every element, with the first offender in the message. */
    static void assertClose(double[] exp, float[] got, double rel, double abs) {
        assertEquals(exp.length, got.length, "length");
        for (int i = 0; i < exp.length; i++) {
            double tol = abs + rel * Math.abs(exp[i]);
            if (!(Math.abs(got[i] - exp[i]) <= tol)) {
                throw new AssertionError("element " + i + ": got " + got[i] + ", expected " + exp[i] + " (tol " + tol + ")");
            }
        }
    }

    @Test
    void groupNormMatchesNaiveWithAndWithoutSilu() {
        Random r = new Random(1);
        int nb = 2, c = 6, h = 5, w = 7, g = 3;
        float[] x = randn(r, nb * c * h * w, 3);
        for (int i = 0; i < x.length; i++) x[i] += 5; // an offset, so a one-pass variance would lose digits
        float[] wt = randn(r, c, 1), bs = randn(r, c, 1);
        for (boolean silu : new boolean[] {false, true}) {
            float[] y = CPU.groupNorm(Tensor.fromFloats(x, nb, c, h, w), g, Tensor.fromFloats(wt, c), Tensor.fromFloats(bs, c),
                    1e-5f, silu).toFloatArray();
            double[] ref = new double[x.length];
            int cpg = c / g, plane = h * w;
            for (int b = 0; b < nb; b++) {
                for (int gi = 0; gi < g; gi++) {
                    int base = (b * c + gi * cpg) * plane, n = cpg * plane;
                    double mean = 0, var = 0;
                    for (int i = 0; i < n; i++) mean += x[base + i];
                    mean /= n;
                    for (int i = 0; i < n; i++) var += (x[base + i] - mean) * (x[base + i] - mean);
                    var /= n;
                    for (int i = 0; i < n; i++) {
                        int ch = gi * cpg + i / plane;
                        double v = (x[base + i] - mean) / Math.sqrt(var + 1e-5) * wt[ch] + bs[ch];
                        ref[base + i] = silu ? v / (1 + Math.exp(-v)) : v;
                    }
                }
            }
            assertClose(ref, y, 2e-6, 2e-6);
        }
    }

    @Test
    void groupNormWithoutAffineOnRank3() {
        Random r = new Random(2);
        float[] x = randn(r, 2 * 4 * 13, 1);
        float[] y = CPU.groupNorm(Tensor.fromFloats(x, 2, 4, 13), 2, null, null, 1e-6f, false).toFloatArray();
        for (int u = 0; u < 4; u++) { // each group (2 channels x 13) must come out with mean 0 and variance ~1
            double m = 0, v = 0;
            for (int i = 0; i < 26; i++) m += y[u * 26 + i];
            m /= 26;
            for (int i = 0; i < 26; i++) v += (y[u * 26 + i] - m) * (y[u * 26 + i] - m);
            assertEquals(0, m, 1e-6);
            assertEquals(1, v / 26, 1e-4);
        }
    }

    @Test
    void groupNormRejectsIndivisibleChannels() {
        Tensor x = Tensor.zeros(1, 6, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> CPU.groupNorm(x, 4, null, null, 1e-5f, false));
        assertThrows(IllegalArgumentException.class, () -> CPU.groupNorm(x, 3, Tensor.zeros(5), null, 1e-5f, false));
    }

    @Test
    void layerNormMatchesNaive() {
        Random r = new Random(3);
        int rows = 15, d = 37;
        float[] x = randn(r, rows * d, 2), wt = randn(r, d, 1), bs = randn(r, d, 1);
        float[] y = CPU.layerNorm(Tensor.fromFloats(x, 3, 5, d), Tensor.fromFloats(wt, d), Tensor.fromFloats(bs, d), 1e-5f).toFloatArray();
        float[] y0 = CPU.layerNorm(Tensor.fromFloats(x, 3, 5, d), null, null, 1e-5f).toFloatArray();
        double[] ref = new double[x.length], ref0 = new double[x.length];
        for (int rr = 0; rr < rows; rr++) {
            double mean = 0, var = 0;
            for (int i = 0; i < d; i++) mean += x[rr * d + i];
            mean /= d;
            for (int i = 0; i < d; i++) var += Math.pow(x[rr * d + i] - mean, 2);
            var /= d;
            for (int i = 0; i < d; i++) {
                ref0[rr * d + i] = (x[rr * d + i] - mean) / Math.sqrt(var + 1e-5);
                ref[rr * d + i] = ref0[rr * d + i] * wt[i] + bs[i];
            }
        }
        assertClose(ref, y, 2e-6, 2e-6);
        assertClose(ref0, y0, 2e-6, 2e-6);
    }

    @Test
    void softmaxMatchesNaiveForLargeMagnitudes() {
        Random r = new Random(4);
        int rows = 4, d = 19;
        float[] x = randn(r, rows * d, 300);
        x[5] = 1e30f; // one dominant entry: the rest of its row must come out exactly 0, not NaN
        float[] y = CPU.softmax(Tensor.fromFloats(x, rows, d)).toFloatArray();
        double[] ref = new double[x.length];
        for (int rr = 0; rr < rows; rr++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < d; i++) max = Math.max(max, x[rr * d + i]);
            for (int i = 0; i < d; i++) sum += Math.exp(x[rr * d + i] - max);
            for (int i = 0; i < d; i++) ref[rr * d + i] = Math.exp(x[rr * d + i] - max) / sum;
        }
        assertClose(ref, y, 2e-6, 1e-7);
        assertEquals(1f, y[5]);
    }

    /** Naive multi-head attention in double. */
    static double[] naiveAttention(float[] q, float[] k, float[] v, int nb, int t, int s, int c, int cv, int heads, double scale) {
        int dh = c / heads, dv = cv / heads;
        double[] out = new double[nb * t * cv];
        for (int b = 0; b < nb; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] p = new double[s];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < s; j++) {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) dot += (double) q[(b * t + i) * c + h * dh + e] * k[(b * s + j) * c + h * dh + e];
                        p[j] = dot * scale;
                        max = Math.max(max, p[j]);
                    }
                    for (int j = 0; j < s; j++) sum += p[j] = Math.exp(p[j] - max);
                    for (int e = 0; e < dv; e++) {
                        double acc = 0;
                        for (int j = 0; j < s; j++) acc += p[j] / sum * v[(b * s + j) * cv + h * dv + e];
                        out[(b * t + i) * cv + h * dv + e] = acc;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void attentionMatchesNaiveAcrossTiles() {
        Random r = new Random(5);
        // T > TILE so several query tiles (the last one partial) are used; Cv != C.
        int nb = 2, t = CpuAttention.TILE + 9, s = 45, c = 12, cv = 9, heads = 3;
        float[] q = randn(r, nb * t * c, 1), k = randn(r, nb * s * c, 1), v = randn(r, nb * s * cv, 1);
        float scale = (float) Math.pow(c / heads, -0.5);
        float[] y = CPU.attention(Tensor.fromFloats(q, nb, t, c), Tensor.fromFloats(k, nb, s, c), Tensor.fromFloats(v, nb, s, cv),
                heads, scale).toFloatArray();
        assertClose(naiveAttention(q, k, v, nb, t, s, c, cv, heads, scale), y, 1e-5, 2e-6);
    }

    @Test
    void longSequencesGiveTheSameBitsOnAnyThreadCount() {
        Random r = new Random(6);
        // 12 query tiles (the last partial) and 3 key blocks (the last partial), so the online softmax rescales; the
        // earlier CPU attention chose its path by tiles per thread and gave other bits on 1 thread than on 2 here
        int nb = 2, t = 11 * CpuAttention.TILE + 7, s = 2 * CpuAttention.KEYS + 76, c = 16, cv = 12, heads = 2;
        float[] q = randn(r, nb * t * c, 1), k = randn(r, nb * s * c, 1), v = randn(r, nb * s * cv, 1);
        for (int i = 2 * CpuAttention.KEYS * c; i < s * c; i++) k[i] *= 3;   // the last block's keys score higher
        float scale = (float) Math.pow(c / heads, -0.5);
        Tensor qt = Tensor.fromFloats(q, nb, t, c), kt = Tensor.fromFloats(k, nb, s, c), vt = Tensor.fromFloats(v, nb, s, cv);
        double[] want = naiveAttention(q, k, v, nb, t, s, c, cv, heads, scale);
        float[] three = CPU.attention(qt, kt, vt, heads, scale).toFloatArray();
        assertClose(want, three, 1e-5, 2e-6);
        for (int threads : new int[] {1, 2, 5}) {
            try (CpuBackend cpu = new CpuBackend(threads)) {
                assertArrayEquals(three, new Eager(cpu).attention(qt, kt, vt, heads, scale).toFloatArray(), threads + " vs 3 threads");
            }
        }
    }

    @Test
    void attentionRejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> CPU.attention(Tensor.zeros(1, 4, 8), Tensor.zeros(1, 3, 6),
                Tensor.zeros(1, 3, 8), 2, 1f));
        assertThrows(IllegalArgumentException.class, () -> CPU.attention(Tensor.zeros(1, 4, 8), Tensor.zeros(1, 3, 8),
                Tensor.zeros(1, 3, 8), 3, 1f));
        assertThrows(IllegalArgumentException.class, () -> CPU.attention(Tensor.zeros(1, 4, 8), Tensor.zeros(1, 0, 8),
                Tensor.zeros(1, 0, 8), 2, 1f));
    }

    /**
     * erfc by Simpson integration of 2/sqrt(pi) e^(-t^2) over [|w|, |w| + 12] (the rest is below 1e-60 of the
     * value): independent of any erf approximation and accurate relative to tiny tail values.
     */
    static double erfc(double w) {
        double z = Math.abs(w);
        int n = 6000;
        double h = 12.0 / n, s = Math.exp(-z * z) + Math.exp(-(z + 12) * (z + 12));
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * Math.exp(-(z + i * h) * (z + i * h));
        double tail = s * h / 3 * 2 / Math.sqrt(Math.PI);
        return w >= 0 ? tail : 2 - tail;
    }

    /** 0.5 x (1 + erf(x / sqrt 2)) written as 0.5 x erfc(-x / sqrt 2). */
    static double geluErfRef(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2));
    }

    static float[] activationInputs() {
        Random r = new Random(6);
        int n = 1001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 4);
        x[0] = 0f;
        x[1] = -30f;
        x[2] = 30f;
        x[3] = -100f;
        x[4] = 100f;
        x[5] = -1e-8f;
        x[6] = 1e20f;
        x[7] = -1e20f;
        return x;
    }

    static void checkUnary(float[] x, float[] y, DoubleUnaryOperator ref, double rel, double abs) {
        checkUnary(x, y, ref, v -> rel, abs);
    }

    /**
     * With a relative tolerance that may grow with |x|: where the function goes through e^(c x), rounding the float
     * argument c x alone costs |c x| 2^-24 relative (torch computes that argument in float too).
     */
    static void checkUnary(float[] x, float[] y, DoubleUnaryOperator ref, DoubleUnaryOperator rel, double abs) {
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) {
            double e = ref.applyAsDouble(x[i]);
            double tol = abs + rel.applyAsDouble(x[i]) * Math.abs(e);
            if (!(Math.abs(y[i] - e) <= tol)) {
                throw new AssertionError("x = " + x[i] + ": got " + y[i] + ", expected " + e + " (tol " + tol + ")");
            }
        }
    }

    @Test
    void activationsMatchTheirDefinitions() {
        float[] x = activationInputs();
        Tensor t = Tensor.fromFloats(x, 7, 143); // 1001 = 7 x 143: a ragged vector tail per chunk
        double ulp = 0x1p-24;
        checkUnary(x, CPU.silu(t).toFloatArray(), v -> v / (1 + Math.exp(-v)), 1e-6, 1e-30);
        checkUnary(x, CPU.quickGelu(t).toFloatArray(), v -> v / (1 + Math.exp(-1.702 * v)),
                v -> 1e-6 + 2 * ulp * Math.abs(1.702 * v), 1e-30);
        // 0.5 x (1 + tanh u); for |u| >= 3 the identity 1 + tanh u = 2 / (1 + e^(-2u)) avoids the cancellation
        // of 1 + tanh u in the negative tail. That tail goes through e^(-2u) with 2u ~ 0.07 x^3.
        checkUnary(x, CPU.geluTanh(t).toFloatArray(), v -> {
                    double u = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
                    return Math.abs(u) < 3 ? 0.5 * v * (1 + Math.tanh(u)) : v / (1 + Math.exp(-2 * u));
                },
                v -> 2e-6 + 4 * ulp * Math.abs(1.6 * v + 0.0714 * v * v * v), 1e-30);
        // the negative tail goes through e^(-x^2/2)
        checkUnary(x, CPU.geluErf(t).toFloatArray(), CpuOpsTest::geluErfRef,
                v -> 2e-6 + 4 * ulp * v * v, 1e-30);
    }

    @Test
    void activationsPropagateNaN() {
        Tensor t = Tensor.fromFloats(new float[] {Float.NaN, 1f, Float.NaN}, 3);
        for (Tensor y : new Tensor[] {CPU.silu(t), CPU.geluErf(t), CPU.geluTanh(t), CPU.quickGelu(t), CPU.softmax(t)}) {
            assertTrue(Float.isNaN(y.toFloatArray()[0]), "NaN in, NaN out");
        }
    }

    @Test
    void expIsAccurateOverTheWholeRange() {
        int n = 20001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -103f + (88.7f + 103f) * i / (n - 1);
        float[] y = new float[n];
        var seg = Tensor.fromFloats(x, n).data();
        var out = Tensor.zeros(n).data();
        for (int i = 0; i < n; i += VectorMath.L) {
            var m = VectorMath.tail(i, n);
            VectorMath.store(VectorMath.exp(VectorMath.load(seg, i, m)), out, i, m);
        }
        for (int i = 0; i < n; i++) y[i] = out.getAtIndex(Tensor.F32_LE, i);
        // normal results within 3e-7 relative; subnormal results (x < -87.34) within half a subnormal step more
        checkUnary(x, y, Math::exp, 3e-7, 0x1p-150);
        float[] edges = {-1000f, 1000f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 88.8f, -104.5f, 88.7f};
        Tensor edge = Tensor.fromFloats(edges, edges.length);
        for (int i = 0; i < edges.length; i += VectorMath.L) {
            var m = VectorMath.tail(i, edges.length);
            VectorMath.store(VectorMath.exp(VectorMath.load(edge.data(), i, m)), edge.data(), i, m);
        }
        float[] e = edge.toFloatArray();
        assertArrayEquals(new float[] {0f, Float.POSITIVE_INFINITY, 0f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, 0f},
                java.util.Arrays.copyOf(e, 6));
        assertEquals(Math.exp(88.7f), e[6], 3e-7 * Math.exp(88.7f));
    }

    @Test
    void softmaxExp2IsAccurateAtAndBelowZeroAndMatchesItsScalarTwin() {
        int n = 40001;
        float[] y = new float[n + 6];
        for (int i = 0; i < n; i++) y[i] = -126f + (126.4f) * i / (n - 1);
        float[] edges = {0f, -0f, Float.NEGATIVE_INFINITY, -127.4f, -1000f, Float.NaN};
        System.arraycopy(edges, 0, y, n, edges.length);
        var seg = Tensor.fromFloats(y, y.length).data();
        var out = Tensor.zeros(y.length).data();
        for (int i = 0; i < y.length; i += VectorMath.L) {
            var m = VectorMath.tail(i, y.length);
            VectorMath.store(VectorMath.exp2NonPositive(VectorMath.load(seg, i, m)), out, i, m);
        }
        float[] got = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            got[i] = out.getAtIndex(Tensor.F32_LE, i);
            assertEquals(Float.floatToRawIntBits(ScalarMath.exp2NonPositive(y[i])), Float.floatToRawIntBits(got[i]),
                    "vector and scalar bits at " + y[i]);
        }
        for (int i = 0; i < n; i++) {
            double ref = Math.pow(2, y[i]);
            assertEquals(ref, got[i], 1.5e-7 * ref, "2^" + y[i]);
        }
        assertEquals(1f, got[n]);
        assertEquals(1f, got[n + 1]);
        assertEquals(0f, got[n + 2], "2^-inf");
        assertEquals(0f, got[n + 3], "below 2^-127 flushes to 0");
        assertEquals(0f, got[n + 4]);
        assertTrue(Float.isNaN(got[n + 5]), "NaN in, NaN out");
    }

    @Test
    void gegluSplitsHiddenThenGate() {
        Random r = new Random(7);
        int rows = 5, n = 11;
        float[] x = randn(r, rows * 2 * n, 2);
        float[] y = CPU.geglu(Tensor.fromFloats(x, rows, 2 * n)).toFloatArray();
        double[] ref = new double[rows * n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                double g = x[i * 2 * n + n + j];
                ref[i * n + j] = x[i * 2 * n + j] * geluErfRef(g);
            }
        }
        assertClose(ref, y, 2e-6, 1e-7);
        assertThrows(IllegalArgumentException.class, () -> CPU.geglu(Tensor.zeros(2, 5)));
    }

    @Test
    void elementwiseArithmetic() {
        Random r = new Random(8);
        int nb = 2, c = 3, h = 5, w = 7, n = nb * c * h * w;
        float[] a = randn(r, n, 1), b = randn(r, n, 1), pc = randn(r, c, 1), pbc = randn(r, nb * c, 1);
        Tensor ta = Tensor.fromFloats(a, nb, c, h, w), tb = Tensor.fromFloats(b, nb, c, h, w);
        float[] add = CPU.add(ta, tb).toFloatArray(), mul = CPU.mul(ta, tb).toFloatArray();
        float[] perC = CPU.addPerChannel(ta, Tensor.fromFloats(pc, c)).toFloatArray();
        float[] perBC = CPU.addPerChannel(ta, Tensor.fromFloats(pbc, nb, c)).toFloatArray();
        float[] sc = CPU.scale(ta, 1.5f, -0.25f).toFloatArray();
        float[] cl = CPU.clamp(ta, -0.5f, 0.75f).toFloatArray();
        float[] lr = CPU.leakyRelu(ta, 0.01f).toFloatArray();
        for (int i = 0; i < n; i++) {
            int ch = (i / (h * w)) % c, bc = i / (h * w);
            assertEquals(a[i] + b[i], add[i]);
            assertEquals(a[i] * b[i], mul[i]);
            assertEquals(a[i] + pc[ch], perC[i]);
            assertEquals(a[i] + pbc[bc], perBC[i]);
            assertEquals(Math.fma(a[i], 1.5f, -0.25f), sc[i]);
            assertEquals(Math.min(Math.max(a[i], -0.5f), 0.75f), cl[i]);
            assertEquals(a[i] >= 0 ? a[i] : a[i] * 0.01f, lr[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> CPU.add(ta, Tensor.zeros(nb, c, h, w + 1)));
        assertThrows(IllegalArgumentException.class, () -> CPU.addPerChannel(ta, Tensor.zeros(c + 1)));
        assertTrue(Float.isNaN(CPU.clamp(Tensor.fromFloats(new float[] {Float.NaN}, 1), 0, 1).toFloatArray()[0]));
    }

    @Test
    void upsampleNearestFollowsTorchIndexRule() {
        Random r = new Random(9);
        int h = 5, w = 7;
        float[] x = randn(r, 2 * h * w, 1);
        int[][] sizes = {{10, 14}, {7, 9}, {3, 4}, {5, 7}, {13, 20}};
        for (int[] o : sizes) {
            float[] y = CPU.upsampleNearest(Tensor.fromFloats(x, 1, 2, h, w), o[0], o[1]).toFloatArray();
            for (int c = 0; c < 2; c++) {
                for (int oy = 0; oy < o[0]; oy++) {
                    for (int ox = 0; ox < o[1]; ox++) {
                        // torch: floor(dst * (in / out)) computed in float, clamped to in - 1
                        int sy = Math.min((int) Math.floor(oy * ((float) h / o[0])), h - 1);
                        int sx = Math.min((int) Math.floor(ox * ((float) w / o[1])), w - 1);
                        assertEquals(x[(c * h + sy) * w + sx], y[(c * o[0] + oy) * o[1] + ox], "size " + o[0] + "x" + o[1]);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> CPU.upsampleNearest(Tensor.zeros(1, 1, 2, 2), 1 << 20, 1 << 20));
    }

    @Test
    void resizeBilinearMatchesHalfPixelDefinition() {
        Random r = new Random(10);
        int h = 6, w = 9;
        float[] x = randn(r, 2 * h * w, 1);
        int[][] sizes = {{11, 5}, {3, 17}, {6, 9}, {1, 1}};
        for (int[] o : sizes) {
            float[] y = CPU.resizeBilinear(Tensor.fromFloats(x, 2, 1, h, w), o[0], o[1]).toFloatArray();
            double[] ref = new double[2 * o[0] * o[1]];
            for (int p = 0; p < 2; p++) {
                for (int oy = 0; oy < o[0]; oy++) {
                    for (int ox = 0; ox < o[1]; ox++) {
                        double sy = Math.max((oy + 0.5) * h / o[0] - 0.5, 0), sx = Math.max((ox + 0.5) * w / o[1] - 0.5, 0);
                        int y0 = (int) sy, x0 = (int) sx, y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
                        double ly = sy - y0, lx = sx - x0;
                        double v = (1 - ly) * ((1 - lx) * x[(p * h + y0) * w + x0] + lx * x[(p * h + y0) * w + x1])
                                + ly * ((1 - lx) * x[(p * h + y1) * w + x0] + lx * x[(p * h + y1) * w + x1]);
                        ref[(p * o[0] + oy) * o[1] + ox] = v;
                    }
                }
            }
            // torch (and we) compute the source coordinate in float: ~1e-6 of index error on these sizes
            assertClose(ref, y, 1e-5, 1e-5);
        }
    }

    @Test
    void pixelShuffleMovesChannelsToSpace() {
        int nb = 2, c = 3, r = 3, h = 2, w = 5;
        float[] x = new float[nb * c * r * r * h * w];
        for (int i = 0; i < x.length; i++) x[i] = i;
        float[] y = CPU.pixelShuffle(Tensor.fromFloats(x, nb, c * r * r, h, w), r).toFloatArray();
        for (int b = 0; b < nb; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int oy = 0; oy < h * r; oy++) {
                    for (int ox = 0; ox < w * r; ox++) {
                        int src = ((b * c * r * r + ch * r * r + (oy % r) * r + ox % r) * h + oy / r) * w + ox / r;
                        assertEquals(x[src], y[((b * c + ch) * h * r + oy) * w * r + ox]);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> CPU.pixelShuffle(Tensor.zeros(1, 8, 2, 2), 2 + 1));
        assertThrows(IllegalArgumentException.class, () -> CPU.pixelShuffle(Tensor.zeros(1, 8, 2, 2), 1 << 16));
    }

    @Test
    void concatAlongEachDim() {
        float[] a = new float[2 * 3 * 4], b = new float[2 * 3 * 4];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
            b[i] = 100 + i;
        }
        Tensor ta = Tensor.fromFloats(a, 2, 3, 4), tb = Tensor.fromFloats(b, 2, 3, 4);
        for (int d = 0; d < 3; d++) {
            Tensor y = CPU.concat(d, ta, tb);
            int[] ys = y.shape();
            assertEquals(2 * ta.dim(d), ys[d]);
            float[] yv = y.toFloatArray();
            int[] idx = new int[3];
            for (int i = 0; i < yv.length; i++) {
                idx[0] = i / (ys[1] * ys[2]);
                idx[1] = (i / ys[2]) % ys[1];
                idx[2] = i % ys[2];
                boolean second = idx[d] >= ta.dim(d);
                int[] s = idx.clone();
                if (second) s[d] -= ta.dim(d);
                float expect = (second ? b : a)[(s[0] * 3 + s[1]) * 4 + s[2]];
                assertEquals(expect, yv[i], "dim " + d + " at " + i);
            }
        }
        assertEquals(3, CPU.concat(-1, Tensor.zeros(2, 1), Tensor.zeros(2, 2)).dim(1));
        assertThrows(IllegalArgumentException.class, () -> CPU.concat(0, ta, Tensor.zeros(2, 3, 5)));
    }

    @Test
    void transposeSwapsLastTwoDims() {
        int nb = 3, rows = 37, cols = 45; // larger than one 32 x 32 block in both directions
        float[] x = new float[nb * rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = i;
        Tensor y = CPU.transpose(Tensor.fromFloats(x, nb, rows, cols));
        assertArrayEquals(new int[] {nb, cols, rows}, y.shape());
        float[] yv = y.toFloatArray();
        for (int b = 0; b < nb; b++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) assertEquals(x[(b * rows + i) * cols + j], yv[(b * cols + j) * rows + i]);
            }
        }
    }
}
