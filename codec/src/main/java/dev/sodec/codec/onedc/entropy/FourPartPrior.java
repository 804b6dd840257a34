package dev.sodec.codec.onedc.entropy;

import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * OneDC's four-part spatial prior for y (compression_model.py {@code compress_four_part_prior} /
 * {@code decompress_four_part_prior}), without its networks (a {@link SpatialPrior} supplies them).
 *
 * <p>y (N channels, N a multiple of 4) is coded in four steps. The channels form four groups of N/4; in every 2x2
 * cell the positions are m0 = (0,0), m1 = (0,1), m2 = (1,0), m3 = (1,1) (row, column). Step k codes, for groups
 * 0..3, the positions {@link #STEP_MASKS}[k] = [m0,m1,m2,m3], [m3,m2,m1,m0], [m2,m3,m0,m1], [m1,m0,m3,m2]: every
 * position of every channel exactly once over the four steps. The scales and means of step 0 are the given params
 * (σ = channels [0, N), μ = [N, 2N)); those of step k >= 1 are {@link SpatialPrior#stepParams} of the y_hat coded
 * so far. Per step the symbol q = round_half_even(y - μ) and y_hat = q + μ at the step's positions; the step writes
 * one N/4-channel plane of symbols, {@code (g0 + g1) + (g2 + g3)} over the masked groups (at each position exactly
 * one group is unmasked), in NCHW raster order, each with the table row {@link OneDcGaussian#scaleIndex} of the
 * plane's scale. The four steps go into one {@link OneDcRansEncoder} with one finish; the decoder reads them with
 * four sequential calls and rebuilds y_hat = (q + μ) at the step's positions.
 *
 * <p>Every elementwise expression is the reference's, in float32 and including the multiplications by the 0/1 masks,
 * so that the scales that select tables (and non-finite values) come out bit for bit as in the reference.
 */
public final class FourPartPrior {
    /** Position mask (0..3, = 2 (row % 2) + (col % 2)) of each channel group at each step. */
    public static final int[][] STEP_MASKS = {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 3, 0, 1}, {1, 0, 3, 2}};
    public static final int STEPS = 4;

    private final int channels;
    private final int height;
    private final int width;
    private final int plane; // (N / 4) * H * W: symbols per step

    /** A prior for y of {@code channels} x {@code height} x {@code width} (channels a positive multiple of 4). */
    public FourPartPrior(int channels, int height, int width) {
        if (channels < 4 || channels % 4 != 0) throw new IllegalArgumentException("four-part prior needs a multiple of 4 channels, got " + channels);
        if (height < 1 || width < 1) throw new IllegalArgumentException("four-part prior of " + height + "x" + width);
        long n = (long) channels * height * width;
        if (2 * n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("four-part prior of " + channels + "x" + height + "x" + width + " is too large");
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.plane = channels / 4 * height * width;
    }

    /** The prior for a (1, N, H, W) tensor's shape. */
    public static FourPartPrior forShape(int[] yShape) {
        if (yShape.length != 4 || yShape[0] != 1) throw new IllegalArgumentException("y must be (1, N, H, W), got " + Arrays.toString(yShape));
        return new FourPartPrior(yShape[1], yShape[2], yShape[3]);
    }

    /** Symbols per step: (N / 4) * H * W. */
    public int symbolsPerStep() { return plane; }

    /** Whether position (row, col) of channel group g is coded at step k. */
    public static boolean coded(int step, int group, int row, int col) {
        return STEP_MASKS[step][group] == 2 * (row & 1) + (col & 1);
    }

    /**
     * What the encoder produced: per step the symbols, scales and table indexes of the written plane
     * ((N/4, H, W) raster order), y_hat (1, N, H, W), and the y stream.
     */
    public record Encoded(int[][] symbols, float[][] scales, int[][] indexes, Tensor yHat, byte[] stream) {}

    /**
     * Quantizes and codes y.
     *
     * @param y (1, N, H, W)
     * @param params the step-0 params (1, 2N, H, W): the y_prior_fusion output
     */
    public Encoded compress(Tensor y, Tensor params, SpatialPrior prior) {
        checkShape("y", y, channels);
        checkShape("params", params, 2 * channels);
        float[] yv = y.toFloatArray();
        float[] p = params.toFloatArray();
        Tensor common = prior.reduce(params);
        int n = channels * height * width, hw = height * width;
        float[] yHat = new float[n];
        int[][] symbols = new int[STEPS][];
        float[][] scales = new float[STEPS][];
        int[][] indexes = new int[STEPS][];
        OneDcRansEncoder enc = new OneDcRansEncoder();
        float[] q = new float[4], s = new float[4];
        for (int k = 0; k < STEPS; k++) {
            if (k > 0) p = stepParams(prior, k, yHat, common);
            int[] sym = new int[plane];
            float[] sc = new float[plane];
            for (int o = 0; o < plane; o++) {
                int pos = o % hw, h = pos / width, w = pos % width;
                for (int g = 0; g < 4; g++) {
                    int i = g * plane + o;
                    float m = mask(k, g, h, w);
                    float sigmaHat = p[i] * m, muHat = p[n + i] * m;
                    float yq = (float) Math.rint((yv[i] - muHat) * m); // quant((y - means_hat) * mask)
                    yHat[i] += yq + muHat;                              // y_hat_so_far += y_q + means_hat
                    q[g] = yq;
                    s[g] = sigmaHat;
                }
                sym[o] = toSymbol((q[0] + q[1]) + (q[2] + q[3])); // combine_for_writing
                sc[o] = (s[0] + s[1]) + (s[2] + s[3]);
            }
            symbols[k] = sym;
            scales[k] = sc;
            indexes[k] = OneDcGaussian.scaleIndexes(sc);
            enc.encode(sym, indexes[k], OneDcGaussian.tables());
        }
        return new Encoded(symbols, scales, indexes, Tensor.fromFloats(yHat, 1, channels, height, width), enc.finish());
    }

    /**
     * Decodes y_hat (1, N, H, W) from the y stream.
     *
     * @throws dev.sodec.codec.entropy.CorruptStreamException if the stream is not one the encoder made for these
     *     params (truncated, corrupt, trailing bytes)
     */
    public Tensor decompress(byte[] stream, Tensor params, SpatialPrior prior) {
        checkShape("params", params, 2 * channels);
        float[] p = params.toFloatArray();
        Tensor common = prior.reduce(params);
        int n = channels * height * width, hw = height * width;
        float[] yHat = new float[n];
        OneDcRansDecoder dec = new OneDcRansDecoder(stream);
        int[] q = new int[plane];
        float[] sc = new float[plane];
        for (int k = 0; k < STEPS; k++) {
            if (k > 0) p = stepParams(prior, k, yHat, common);
            for (int o = 0; o < plane; o++) {
                int pos = o % hw, h = pos / width, w = pos % width;
                sc[o] = (p[o] * mask(k, 0, h, w) + p[plane + o] * mask(k, 1, h, w))
                        + (p[2 * plane + o] * mask(k, 2, h, w) + p[3 * plane + o] * mask(k, 3, h, w));
            }
            dec.decode(OneDcGaussian.scaleIndexes(sc), 0, plane, OneDcGaussian.tables(), q, 0);
            for (int o = 0; o < plane; o++) {
                int pos = o % hw, h = pos / width, w = pos % width;
                float qf = q[o];
                for (int g = 0; g < 4; g++) {
                    int i = g * plane + o;
                    yHat[i] += (qf + p[n + i]) * mask(k, g, h, w); // (cat(q, q, q, q) + means) * mask
                }
            }
        }
        dec.finish();
        return Tensor.fromFloats(yHat, 1, channels, height, width);
    }

    /**
     * The z-only variant's y_hat (1, N, H, W): the same four steps with every symbol 0, i.e. y_hat = the means of
     * each step at its positions (compression_model.py {@code forward_four_part_prior_recon_with_z}; no stream).
     */
    public Tensor meansOnly(Tensor params, SpatialPrior prior) {
        checkShape("params", params, 2 * channels);
        float[] p = params.toFloatArray();
        Tensor common = prior.reduce(params);
        int n = channels * height * width, hw = height * width;
        float[] yHat = new float[n];
        for (int k = 0; k < STEPS; k++) {
            if (k > 0) p = stepParams(prior, k, yHat, common);
            for (int i = 0; i < n; i++) {
                int pos = i % hw, g = i / plane;
                yHat[i] += 0f + p[n + i] * mask(k, g, pos / width, pos % width); // y_q * 0 + means_hat
            }
        }
        return Tensor.fromFloats(yHat, 1, channels, height, width);
    }

    private static float mask(int step, int group, int row, int col) {
        return coded(step, group, row, col) ? 1f : 0f;
    }

    /**
     * A combined symbol as the coder takes it: clamped to +-30000 (EntropyCoder) and cast to int16; NaN becomes 0
     * (x86's float-to-int conversion gives INT_MIN, whose int16 cast is 0).
     */
    private static int toSymbol(float v) {
        if (Float.isNaN(v)) return 0;
        return (int) Math.max(-OneDcRans.SYMBOL_LIMIT, Math.min(OneDcRans.SYMBOL_LIMIT, v));
    }

    private float[] stepParams(SpatialPrior prior, int step, float[] yHat, Tensor common) {
        Tensor t = prior.stepParams(step, Tensor.fromFloats(yHat.clone(), 1, channels, height, width), common);
        checkShape("step " + step + " params", t, 2 * channels);
        return t.toFloatArray();
    }

    private void checkShape(String what, Tensor t, int c) {
        int[] want = {1, c, height, width};
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(want));
        }
    }
}
