package dev.sodec.codec.entropy;

import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * The learned cumulative density of CompressAI's EntropyBottleneck ({@code _logits_cumulative}): per channel a
 * tiny MLP 1 -> f1 -> ... -> 1 where layer i computes {@code softplus(_matrix_i) @ v + _bias_i} and, except for the
 * last layer, adds {@code tanh(_factor_i) * tanh(v)}. Evaluated in float32 in the reference's operation order
 * (dot products summed left to right, bias added after, then the factor term), so the CDF tables rebuilt from it
 * match CompressAI's {@code update()}.
 */
final class FactorizedDensity {
    /** More layers or wider filters than any published model; bounds the scratch space a weight file can ask for. */
    static final int MAX_LAYERS = 16;
    static final int MAX_FILTERS = 256;

    private final int channels;
    private final int layers;
    private final int[] width; // width[0] = 1, width[layers] = 1
    private final float[][] softplusMatrix; // [layer][c * out * in + o * in + j]
    private final float[][] bias; // [layer][c * out + o]
    private final float[][] tanhFactor; // [layer][c * out + o], null for the last layer
    private final int maxWidth;

    private FactorizedDensity(int channels, int[] width, float[][] m, float[][] b, float[][] f) {
        this.channels = channels;
        this.layers = width.length - 1;
        this.width = width;
        this.softplusMatrix = m;
        this.bias = b;
        this.tanhFactor = f;
        int w = 1;
        for (int x : width) w = Math.max(w, x);
        this.maxWidth = w;
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
        for (int i = 0; i < layers; i++) {
            Tensor mt = sd.take("_matrix" + i);
            int[] s = mt.shape();
            if (s.length != 3 || s[0] != channels || s[2] != width[i] || s[1] < 1 || s[1] > MAX_FILTERS
                    || (i == layers - 1 && s[1] != 1)) {
                throw new MissingWeightException(sd.prefix() + "_matrix" + i + " has shape " + Arrays.toString(s)
                        + ", expected (" + channels + ", f, " + width[i] + ")" + (i == layers - 1 ? " with f = 1" : ""));
            }
            int out = s[1];
            width[i + 1] = out;
            m[i] = mt.toFloatArray();
            for (int k = 0; k < m[i].length; k++) m[i][k] = softplus(m[i][k]);
            b[i] = sd.take("_bias" + i, channels, out, 1).toFloatArray();
            if (i < layers - 1) {
                f[i] = sd.take("_factor" + i, channels, out, 1).toFloatArray();
                for (int k = 0; k < f[i].length; k++) f[i][k] = (float) Math.tanh(f[i][k]);
            }
        }
        return new FactorizedDensity(channels, width, m, b, f);
    }

    /** torch.nn.functional.softplus (beta 1, threshold 20) in float32. */
    static float softplus(float x) {
        return x > 20f ? x : (float) Math.log1p(Math.exp(x));
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    int channels() { return channels; }

    /** Scratch for {@link #logitsCumulative}: two rows of the widest layer. */
    float[] newScratch() {
        return new float[2 * maxWidth];
    }

    /** {@code _logits_cumulative} of one value for channel {@code c}; allocation-free given the scratch. */
    float logitsCumulative(int c, float v, float[] scratch) {
        float[] h = scratch;
        int in = 0, out = maxWidth; // the two halves of scratch alternate as input and output
        h[in] = v;
        for (int i = 0; i < layers; i++) {
            int fi = width[i], fo = width[i + 1];
            float[] mi = softplusMatrix[i], bi = bias[i], ti = tanhFactor[i];
            int mBase = c * fo * fi, vBase = c * fo;
            for (int o = 0; o < fo; o++) {
                float acc = 0f;
                for (int j = 0; j < fi; j++) acc += mi[mBase + o * fi + j] * h[in + j];
                acc += bi[vBase + o];
                if (ti != null) acc += ti[vBase + o] * (float) Math.tanh(acc);
                h[out + o] = acc;
            }
            int t = in;
            in = out;
            out = t;
        }
        return h[in];
    }

    /**
     * Likelihood of the unit interval around {@code v}: |sigmoid(s * upper) - sigmoid(s * lower)| with lower/upper the
     * cumulative logits at v -+ 0.5 and s = -sign(lower + upper) (the reference's trick for accuracy in the tails).
     */
    float likelihood(int c, float v, float[] scratch) {
        float lower = logitsCumulative(c, v - 0.5f, scratch);
        float upper = logitsCumulative(c, v + 0.5f, scratch);
        float sign = -Math.signum(lower + upper);
        return Math.abs(sigmoid(sign * upper) - sigmoid(sign * lower));
    }
}
