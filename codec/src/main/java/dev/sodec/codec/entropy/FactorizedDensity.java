package dev.sodec.codec.entropy;

import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * The learned cumulative density of CompressAI's EntropyBottleneck ({@code _logits_cumulative}): per channel a
 * tiny MLP 1 -> f1 -> ... -> 1 where layer i computes {@code softplus(_matrix_i) @ v + _bias_i} and, except for the
 * last layer, adds {@code tanh(_factor_i) * tanh(v)}; and the likelihood of unit intervals under it.
 *
 * <p>Evaluated as torch 1.13 on the CPU evaluates CompressAI's tensors, bit for bit: values are laid out (C, n) like
 * CompressAI's (C, 1, n) tensors, the matrix products are {@link TorchBmm} per channel, softplus / tanh / sigmoid
 * are {@link TorchKernels} (SLEEF in vector blocks, glibc in the scalar tails, placed by the element's index in
 * the whole tensor). That is what makes tables rebuilt from the learned parameters equal CompressAI's
 * {@code update(force=True)}.
 */
final class FactorizedDensity {
    /** More layers or wider filters than any published model; bounds the scratch space a weight file can ask for. */
    static final int MAX_LAYERS = 16;
    static final int MAX_FILTERS = 256;
    /**
     * Thread counts tried for results that depend on the reference machine's: torch splits a kernel into at most
     * ceil(n / 32768) chunks, and no table has more than CdfTables.MAX_ENTRIES = 128 x 32768 entries, so more
     * threads than this cannot split any of them differently.
     */
    static final int MAX_THREADS = 128;

    private final int channels;
    private final int layers;
    private final int[] width; // width[0] = 1, width[layers] = 1
    private final float[][] softplusMatrix; // [layer][c * out * in + o * in + j]
    private final float[][] bias; // [layer][c * out + o]
    private final float[][] tanhFactor; // [layer][c * out + o], null for the last layer
    private final boolean softplusThreadFree;

    private FactorizedDensity(int channels, int[] width, float[][] m, float[][] b, float[][] f, boolean threadFree) {
        this.channels = channels;
        this.layers = width.length - 1;
        this.width = width;
        this.softplusMatrix = m;
        this.bias = b;
        this.tanhFactor = f;
        this.softplusThreadFree = threadFree;
    }

    /** Loads {@code _matrix0.., _bias0.., _factor0..} for {@code channels} channels; the layer count is that of the file. */
    static FactorizedDensity load(StateDict sd, int channels) {
        int layers = 0;
        while (sd.has("_matrix" + layers)) {
            if (++layers > MAX_LAYERS) throw new MissingWeightException(sd.prefix() + "_matrix*: more than " + MAX_LAYERS + " layers");
        }
        if (layers == 0) throw new MissingWeightException("missing weight '" + sd.prefix() + "_matrix0'");
        int[] width = new int[layers + 1];
        width[0] = 1;
        float[][] m = new float[layers][], b = new float[layers][], f = new float[layers][];
        boolean threadFree = true;
        for (int i = 0; i < layers; i++) {
            Tensor mt = sd.take("_matrix" + i);
            int[] s = mt.shape();
            if (s.length != 3 || s[0] != channels || s[2] != width[i] || s[1] < 1 || s[1] > MAX_FILTERS
                    || (i == layers - 1 && s[1] != 1)) {
                throw new MissingWeightException(sd.prefix() + "_matrix" + i + " has shape " + Arrays.toString(s)
                        + ", expected (" + channels + ", f, " + width[i] + ")" + (i == layers - 1 ? " with f = 1" : ""));
            }
            width[i + 1] = s[1];
            float[] raw = mt.toFloatArray();
            m[i] = raw.clone();
            TorchKernels.softplus(m[i], 1);
            threadFree &= softplusSameOnAnyThreads(raw, m[i]);
            b[i] = sd.take("_bias" + i, channels, s[1], 1).toFloatArray();
            if (i < layers - 1) {
                f[i] = sd.take("_factor" + i, channels, s[1], 1).toFloatArray();
                for (int k = 0; k < f[i].length; k++) f[i][k] = TorchKernels.tanh(f[i][k]);
            }
        }
        return new FactorizedDensity(channels, width, m, b, f, threadFree);
    }

    private static boolean softplusSameOnAnyThreads(float[] raw, float[] oneThread) {
        if (raw.length < TorchKernels.GRAIN) return true;
        int[] previous = TorchKernels.chunks(raw.length, 1);
        for (int t = 2; t <= MAX_THREADS; t++) {
            int[] chunks = TorchKernels.chunks(raw.length, t);
            if (Arrays.equals(chunks, previous)) continue; // same split as t - 1 (the task count stopped growing)
            previous = chunks;
            float[] v = raw.clone();
            TorchKernels.softplus(v, t);
            if (!Arrays.equals(v, oneThread)) return false;
        }
        return true;
    }

    int channels() { return channels; }

    /**
     * Whether {@link #likelihood} of n values per channel gives the same bits whatever the reference machine's
     * thread counts (torch's intra-op threads for softplus, OpenBLAS's for the products); the sigmoids' own
     * dependence is left to the caller ({@link Likelihood#pmf(int)}).
     */
    boolean threadFree(int n) {
        if (!softplusThreadFree) return false;
        for (int i = 0; i < layers; i++) {
            if (!TorchBmm.reproducible(width[i + 1], width[i], n)) return false;
        }
        return true;
    }

    /** {@code _logits_cumulative} of {@code v} laid out (C, n): the (C, n) result. */
    float[] logitsCumulative(float[] v, int n) {
        int maxWidth = 1;
        for (int w : width) maxWidth = Math.max(maxWidth, w);
        float[] out = new float[channels * n];
        float[] h = new float[maxWidth * n], next = new float[maxWidth * n];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(v, c * n, h, 0, n);
            for (int i = 0; i < layers; i++) {
                int fi = width[i], fo = width[i + 1];
                TorchBmm.multiply(softplusMatrix[i], c * fo * fi, fo, fi, h, n, next);
                float[] bi = bias[i], ti = tanhFactor[i];
                for (int o = 0; o < fo; o++) {
                    float bo = bi[c * fo + o];
                    for (int j = o * n; j < (o + 1) * n; j++) next[j] += bo;
                    if (ti != null) {
                        float to = ti[c * fo + o];
                        for (int j = o * n; j < (o + 1) * n; j++) next[j] += to * TorchKernels.tanh(next[j]);
                    }
                }
                float[] t = h;
                h = next;
                next = t;
            }
            System.arraycopy(h, 0, out, c * n, n);
        }
        return out;
    }

    /**
     * The cumulative logits at v -+ 0.5 and both candidates for each of the two sigmoids of the likelihood: which one
     * torch takes depends on the element's place in its thread's chunk ({@link #pmf(int)}).
     */
    record Likelihood(float[] lower, float[] upper, float[] upperVector, float[] upperScalar,
                      float[] lowerVector, float[] lowerScalar) {
        /** {@code |sigmoid(s * upper) - sigmoid(s * lower)|} over the (C, n) tensor as {@code threads} threads compute it. */
        float[] pmf(int threads) {
            int[] chunks = TorchKernels.chunks(lower.length, threads);
            float[] pmf = new float[lower.length];
            for (int i = 0; i < pmf.length; i++) {
                boolean scalar = TorchKernels.scalarPath(chunks, i);
                pmf[i] = Math.abs(scalar ? upperScalar[i] - lowerScalar[i] : upperVector[i] - lowerVector[i]);
            }
            return pmf;
        }
    }

    /**
     * CompressAI's likelihood of the unit intervals around {@code v} (C, n):
     * {@code |sigmoid(s * upper) - sigmoid(s * lower)|} with lower/upper the cumulative logits at v -+ 0.5 and
     * {@code s = -sign(lower + upper)} (the reference's trick for accuracy in the tails).
     */
    Likelihood likelihood(float[] v, int n) {
        float[] lowerIn = new float[v.length], upperIn = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            lowerIn[i] = v[i] - 0.5f;
            upperIn[i] = v[i] + 0.5f;
        }
        float[] lower = logitsCumulative(lowerIn, n), upper = logitsCumulative(upperIn, n);
        float[] uv = new float[v.length], us = new float[v.length], lv = new float[v.length], ls = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            float sign = -Math.signum(lower[i] + upper[i]);
            float su = sign * upper[i], sl = sign * lower[i];
            uv[i] = TorchKernels.sigmoidVector(su);
            us[i] = TorchKernels.sigmoidScalar(su);
            lv[i] = TorchKernels.sigmoidVector(sl);
            ls[i] = TorchKernels.sigmoidScalar(sl);
        }
        return new Likelihood(lower, upper, uv, us, lv, ls);
    }
}
