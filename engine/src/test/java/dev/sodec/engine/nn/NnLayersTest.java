package dev.sodec.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The layer paths the golden cases do not reach (CLIP key names, a resnet without time embedding or shortcut,
 * odd timestep widths, strict loading), against naive double loops written here.
 */
class NnLayersTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Tensor rand(Random r, Map<String, Tensor> into, String key, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * 0.3);
        Tensor t = Tensor.fromFloats(v, shape);
        if (into != null) into.put(key, t);
        return t;
    }

    private static double[] naiveLinear(float[] x, int rows, int in, float[] w, float[] b, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) s += (double) x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        }
        return y;
    }

    private static float[] f(double[] d) {
        float[] o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = (float) d[i];
        return o;
    }

    private static void assertClose(double[] exp, float[] got, double tol) {
        assertEquals(exp.length, got.length);
        double scale = 0;
        for (double e : exp) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < exp.length; i++) {
            if (!(Math.abs(got[i] - exp[i]) <= tol * Math.max(1, scale))) {
                throw new AssertionError("element " + i + ": got " + got[i] + ", expected " + exp[i]);
            }
        }
    }

    @Test
    void clipKeyedCrossAttentionMatchesNaive() {
        Random r = new Random(21);
        int nb = 1, t = 5, s = 6, dq = 8, dc = 6, heads = 2, dh = 3, inner = heads * dh;
        Map<String, Tensor> w = new LinkedHashMap<>();
        Tensor wq = rand(r, w, "q_proj.weight", inner, dq), bq = rand(r, w, "q_proj.bias", inner);
        Tensor wk = rand(r, w, "k_proj.weight", inner, dc), bk = rand(r, w, "k_proj.bias", inner);
        Tensor wv = rand(r, w, "v_proj.weight", inner, dc), bv = rand(r, w, "v_proj.bias", inner);
        Tensor wo = rand(r, w, "out_proj.weight", dq, inner), bo = rand(r, w, "out_proj.bias", dq);
        Tensor x = rand(r, null, "", nb, t, dq), ctx = rand(r, null, "", nb, s, dc);
        StateDict sd = new StateDict(w, "test");
        Attention attn = Attention.load(sd, new Attention.Spec(dq, dc, heads, dh, true, true), Attention.Keys.CLIP);
        sd.requireAllConsumed();
        float[] got = CPU.run((g, n) -> attn.forward(g, n[0], n[1]), x, ctx).toFloatArray();

        double[] q = naiveLinear(x.toFloatArray(), t, dq, wq.toFloatArray(), bq.toFloatArray(), inner);
        double[] k = naiveLinear(ctx.toFloatArray(), s, dc, wk.toFloatArray(), bk.toFloatArray(), inner);
        double[] v = naiveLinear(ctx.toFloatArray(), s, dc, wv.toFloatArray(), bv.toFloatArray(), inner);
        double[] o = new double[t * inner];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < t; i++) {
                double[] p = new double[s];
                double sum = 0;
                for (int j = 0; j < s; j++) {
                    double dot = 0;
                    for (int e = 0; e < dh; e++) dot += q[i * inner + h * dh + e] * k[j * inner + h * dh + e];
                    sum += p[j] = Math.exp(dot / Math.sqrt(dh));
                }
                for (int e = 0; e < dh; e++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) acc += p[j] / sum * v[j * inner + h * dh + e];
                    o[i * inner + h * dh + e] = acc;
                }
            }
        }
        assertClose(naiveLinear(f(o), t, inner, wo.toFloatArray(), bo.toFloatArray(), dq), got, 1e-5);
    }

    @Test
    void loadingIsStrict() {
        Random r = new Random(22);
        Map<String, Tensor> w = new LinkedHashMap<>();
        rand(r, w, "to_q.weight", 4, 4);
        rand(r, w, "to_k.weight", 4, 4);
        rand(r, w, "to_v.weight", 4, 4);
        rand(r, w, "to_out.0.weight", 4, 4);
        Attention.Spec withBias = new Attention.Spec(4, 0, 2, 2, true, true);
        assertThrows(MissingWeightException.class, () -> Attention.load(new StateDict(w, "t"), withBias));
        rand(r, w, "to_out.0.bias", 4);
        rand(r, w, "to_q.bias", 4); // present but the config says q/k/v have no bias
        StateDict sd = new StateDict(w, "t");
        Attention.load(sd, new Attention.Spec(4, 0, 2, 2, false, true));
        assertThrows(MissingWeightException.class, sd::requireAllConsumed);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        rand(r, bad, "weight", 3, 5);
        assertThrows(MissingWeightException.class, () -> Linear.load(new StateDict(bad, "t"), 4, 3, false));
    }

    /** silu(group norm) per (sample, group) in double. */
    private static double[] naiveGroupNormSilu(double[] x, int nb, int c, int plane, int groups, float[] w, float[] b, double eps) {
        double[] y = new double[x.length];
        int cpg = c / groups, n = cpg * plane;
        for (int u = 0; u < nb * groups; u++) {
            double mean = 0, var = 0;
            for (int i = 0; i < n; i++) mean += x[u * n + i];
            mean /= n;
            for (int i = 0; i < n; i++) var += (x[u * n + i] - mean) * (x[u * n + i] - mean);
            var /= n;
            for (int i = 0; i < n; i++) {
                int ch = (u % groups) * cpg + i / plane;
                double v = (x[u * n + i] - mean) / Math.sqrt(var + eps) * w[ch] + b[ch];
                y[u * n + i] = v / (1 + Math.exp(-v));
            }
        }
        return y;
    }

    private static double[] naiveConv3x3(double[] x, int nb, int cin, int h, int wd, float[] w, float[] b, int cout) {
        double[] y = new double[nb * cout * h * wd];
        for (int n = 0; n < nb; n++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < h; oy++) {
                    for (int ox = 0; ox < wd; ox++) {
                        double s = b[co];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy + ky - 1, ix = ox + kx - 1;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    s += x[((n * cin + ci) * h + iy) * wd + ix] * w[((co * cin + ci) * 3 + ky) * 3 + kx];
                                }
                            }
                        }
                        y[((n * cout + co) * h + oy) * wd + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void resnetWithoutTimeEmbeddingOrShortcutMatchesNaive() {
        Random r = new Random(23);
        int nb = 2, c = 8, h = 5, wd = 6, groups = 4;
        Map<String, Tensor> w = new LinkedHashMap<>();
        float[] n1w = rand(r, w, "norm1.weight", c).toFloatArray(), n1b = rand(r, w, "norm1.bias", c).toFloatArray();
        float[] c1w = rand(r, w, "conv1.weight", c, c, 3, 3).toFloatArray(), c1b = rand(r, w, "conv1.bias", c).toFloatArray();
        float[] n2w = rand(r, w, "norm2.weight", c).toFloatArray(), n2b = rand(r, w, "norm2.bias", c).toFloatArray();
        float[] c2w = rand(r, w, "conv2.weight", c, c, 3, 3).toFloatArray(), c2b = rand(r, w, "conv2.bias", c).toFloatArray();
        Tensor x = rand(r, null, "", nb, c, h, wd);
        StateDict sd = new StateDict(w, "test");
        ResnetBlock2D block = ResnetBlock2D.load(sd, new ResnetBlock2D.Spec(c, c, 0, groups, 1e-6f, 2f));
        sd.requireAllConsumed();
        float[] got = CPU.run((g, n) -> block.forward(g, n[0], null), x).toFloatArray();

        float[] xf = x.toFloatArray();
        double[] xd = new double[xf.length];
        for (int i = 0; i < xf.length; i++) xd[i] = xf[i];
        double[] hh = naiveConv3x3(naiveGroupNormSilu(xd, nb, c, h * wd, groups, n1w, n1b, 1e-6), nb, c, h, wd, c1w, c1b, c);
        hh = naiveConv3x3(naiveGroupNormSilu(hh, nb, c, h * wd, groups, n2w, n2b, 1e-6), nb, c, h, wd, c2w, c2b, c);
        for (int i = 0; i < hh.length; i++) hh[i] = (xd[i] + hh[i]) / 2;
        assertClose(hh, got, 1e-5);
        assertThrows(IllegalArgumentException.class, () -> CPU.run((g, n) -> block.forward(g, n[0], n[1]), x, Tensor.zeros(nb, 4)));
    }

    @Test
    void timestepsOddWidthPadsAndOrdersCosFirst() {
        Timesteps ts = new Timesteps(7, true, 1f);
        float[] y = ts.forward(Tensor.fromFloats(new float[] {0f, 3f}, 2)).toFloatArray();
        int half = 3;
        for (int n = 0; n < 2; n++) {
            double t = n == 0 ? 0 : 3;
            for (int i = 0; i < half; i++) {
                double freq = Math.exp(-Math.log(10000) * i / (half - 1.0));
                assertEquals(Math.cos(t * freq), y[n * 7 + i], 1e-6);
                assertEquals(Math.sin(t * freq), y[n * 7 + half + i], 1e-6);
            }
            assertEquals(0f, y[n * 7 + 6]);
        }
    }
}
