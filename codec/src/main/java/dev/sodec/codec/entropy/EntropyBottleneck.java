package dev.sodec.codec.entropy;

import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CompressAI's EntropyBottleneck (factorized prior) at inference: symbols are {@code round(x - median[c])} (half to
 * even), coded with the CDF table of their channel; {@code x_hat = symbols + median[c]}.
 *
 * <p>Loads from a StateDict scoped to {@code entropy_bottleneck} with CompressAI's keys: {@code quantiles} (C,1,3),
 * {@code _matrix*}, {@code _bias*}, {@code _factor*}, {@code target}, {@code likelihood_lower_bound.bound} and the
 * table buffers {@code _quantized_cdf}, {@code _offset}, {@code _cdf_length}. Decoders should use the stored tables
 * (rebuilding them is float-sensitive); when they are absent or empty (a checkpoint saved before CompressAI's
 * {@code update()}) they are rebuilt from the learned parameters exactly as {@code update(force=True)} does.
 * Immutable and thread-safe.
 */
public final class EntropyBottleneck {
    /** Largest number of symbols one decompress call produces, so a hostile size cannot drive the allocation. */
    public static final int MAX_SYMBOLS = 1 << 25;

    private final int channels;
    private final float[] quantiles; // (C, 3): lower quantile, median, upper quantile
    private final FactorizedDensity density;
    private final float likelihoodBound;
    private final CdfTables tables;

    private EntropyBottleneck(int channels, float[] quantiles, FactorizedDensity density, float likelihoodBound,
                              CdfTables tables) {
        this.channels = channels;
        this.quantiles = quantiles;
        this.density = density;
        this.likelihoodBound = likelihoodBound;
        this.tables = tables;
    }

    /** Loads; uses the stored tables when present and non-empty, else rebuilds them (CompressAI {@code update()}). */
    public static EntropyBottleneck load(StateDict sd) {
        return load(sd, false);
    }

    /** Loads; with {@code forceUpdate} the stored tables are ignored and rebuilt (CompressAI {@code update(force=True)}). */
    public static EntropyBottleneck load(StateDict sd, boolean forceUpdate) {
        Tensor q = sd.take("quantiles");
        int[] qs = q.shape();
        if (qs.length != 3 || qs[0] < 1 || qs[1] != 1 || qs[2] != 3) {
            throw new MissingWeightException(sd.prefix() + "quantiles has shape " + Arrays.toString(qs) + ", expected (C, 1, 3)");
        }
        int channels = qs[0];
        float[] quantiles = q.toFloatArray();
        FactorizedDensity density = FactorizedDensity.load(sd, channels);
        sd.ignore("target"); // training-only (the quantile loss)
        float bound = likelihoodBound(sd);
        Tensor cdf = sd.takeOptional("_quantized_cdf");
        Tensor offset = sd.takeOptional("_offset");
        Tensor length = sd.takeOptional("_cdf_length");
        boolean stored = cdf != null && offset != null && length != null && offset.numel() > 0;
        CdfTables tables;
        if (stored && !forceUpdate) {
            tables = CdfTables.of(cdf, length, offset);
            if (tables.rows() != channels) {
                throw new MissingWeightException(sd.prefix() + "_quantized_cdf has " + tables.rows() + " rows for " + channels + " channels");
            }
        } else {
            tables = buildTables(quantiles, density);
        }
        return new EntropyBottleneck(channels, quantiles, density, bound, tables);
    }

    /** The likelihood floor; a model built with use_likelihood_bound=False has no such buffer and no floor. */
    static float likelihoodBound(StateDict sd) {
        Tensor t = sd.takeOptional("likelihood_lower_bound.bound");
        if (t == null) return 0f;
        if (t.numel() != 1) throw new MissingWeightException(sd.prefix() + "likelihood_lower_bound.bound must hold one value, got " + t);
        return t.toFloatArray()[0];
    }

    /**
     * CompressAI {@code EntropyBottleneck.update(force=True)}: per channel the pmf of the integers from
     * {@code median - ceil(median - q_low)} to {@code median + ceil(q_high - median)} under the learned density,
     * plus the tail mass, quantized with {@link QuantizedCdf}. All in float32 like the reference.
     */
    static CdfTables buildTables(float[] quantiles, FactorizedDensity density) {
        int channels = density.channels();
        int[] minima = new int[channels], pmfLength = new int[channels];
        float[] pmfStart = new float[channels];
        int maxLength = 0;
        for (int c = 0; c < channels; c++) {
            float median = quantiles[3 * c + 1];
            float below = (float) Math.ceil(median - quantiles[3 * c]);
            float above = (float) Math.ceil(quantiles[3 * c + 2] - median);
            // Both extents must fit one CDF of 2^16 symbols (pmf + tail); NaN fails the comparisons too.
            int limit = QuantizedCdf.MAX_SYMBOLS - 2;
            if (!(below <= limit && above <= limit)) {
                throw new IllegalArgumentException("entropy_bottleneck.quantiles of channel " + c + " ("
                        + quantiles[3 * c] + ", " + median + ", " + quantiles[3 * c + 2] + ") span too many symbols");
            }
            int lo = Math.max((int) below, 0), hi = Math.max((int) above, 0);
            if (lo + hi + 1 > limit) {
                throw new IllegalArgumentException("entropy_bottleneck.quantiles of channel " + c + " span " + (lo + hi + 1) + " symbols");
            }
            minima[c] = lo;
            pmfLength[c] = lo + hi + 1;
            pmfStart[c] = median - (float) lo;
            maxLength = Math.max(maxLength, pmfLength[c]);
        }
        if ((long) channels * (maxLength + 2) > CdfTables.MAX_ENTRIES) throw new IllegalArgumentException("entropy_bottleneck tables too large");
        int[][] rows = new int[channels][];
        int[] offset = new int[channels];
        float[] scratch = density.newScratch();
        for (int c = 0; c < channels; c++) {
            int n = pmfLength[c];
            float[] pmf = new float[n + 1];
            for (int j = 0; j < n; j++) {
                pmf[j] = density.likelihood(c, (float) j + pmfStart[c], scratch);
            }
            // The reference takes the tail mass at the longest channel's last sample, not at this channel's.
            float first = pmfStart[c];
            float last = (float) (maxLength - 1) + pmfStart[c];
            float lower = density.logitsCumulative(c, first - 0.5f, scratch);
            float upper = density.logitsCumulative(c, last + 0.5f, scratch);
            pmf[n] = FactorizedDensity.sigmoid(lower) + FactorizedDensity.sigmoid(-upper);
            rows[c] = QuantizedCdf.fromPmf(pmf);
            offset[c] = -minima[c];
        }
        return CdfTables.fromRows(rows, offset);
    }

    public int channels() { return channels; }

    public CdfTables tables() { return tables; }

    /** {@code quantiles[c, 0, 1]}: the value symbol 0 of channel c stands for. */
    public float median(int c) { return quantiles[3 * c + 1]; }

    /** The table buffers as CompressAI stores them ({@code _quantized_cdf}, {@code _offset}, {@code _cdf_length}). */
    public Map<String, Tensor> tableBuffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("_quantized_cdf", tables.quantizedCdfTensor());
        m.put("_offset", tables.offsetTensor());
        m.put("_cdf_length", tables.cdfLengthTensor());
        return m;
    }

    /** {@code round(x - median[c])} (half to even) for x of shape (B, C, ...), as I32. */
    public Tensor symbols(Tensor x) {
        float[] v = values(x);
        int[] s = new int[v.length];
        int per = perChannel(x);
        for (int i = 0; i < v.length; i++) s[i] = Quantizer.symbol(v[i], median((i / per) % channels), i);
        return Tensor.fromInts(s, x.shape());
    }

    /** The eval forward's quantization {@code round(x - median[c]) + median[c]}. */
    public Tensor dequantize(Tensor x) {
        float[] v = values(x);
        int per = perChannel(x);
        for (int i = 0; i < v.length; i++) {
            float m = median((i / per) % channels);
            v[i] = (float) Math.rint(v[i] - m) + m;
        }
        return Tensor.fromFloats(v, x.shape());
    }

    /** The eval forward's likelihoods of quantized values {@code xHat}, lower-bounded like the reference. */
    public Tensor likelihoods(Tensor xHat) {
        float[] v = values(xHat);
        int per = perChannel(xHat);
        float[] scratch = density.newScratch();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(density.likelihood((i / per) % channels, v[i], scratch), likelihoodBound);
        }
        return Tensor.fromFloats(v, xHat.shape());
    }

    /** One stream per batch item of x (B, C, ...): its symbols in (C, ...) order, row = channel. */
    public byte[][] compress(Tensor x) {
        int[] s = symbols(x).toIntArray();
        int batch = x.dim(0), n = s.length / batch, per = perChannel(x);
        int[] indexes = channelIndexes(n, per);
        RansEncoder enc = new RansEncoder(n * 2 + 64);
        byte[][] out = new byte[batch][];
        for (int b = 0; b < batch; b++) out[b] = enc.encode(s, b * n, indexes, 0, n, tables);
        return out;
    }

    /** CompressAI {@code decompress(strings, size)}: x_hat of shape (strings.length, C, spatial...). */
    public Tensor decompress(byte[][] strings, int... spatial) {
        long perLong = 1;
        for (int d : spatial) {
            if (d < 1) throw new IllegalArgumentException("spatial size " + Arrays.toString(spatial) + " must be positive");
            perLong = Math.min(perLong * d, (long) MAX_SYMBOLS + 1); // saturate: no overflow for any rank
        }
        long total = (long) strings.length * channels * perLong;
        int per = (int) Math.min(perLong, MAX_SYMBOLS);
        if (strings.length < 1 || total > MAX_SYMBOLS) {
            throw new IllegalArgumentException(strings.length + " streams of " + channels + "x" + Arrays.toString(spatial)
                    + " symbols: outside 1.." + MAX_SYMBOLS + " symbols");
        }
        int n = channels * per;
        int[] indexes = channelIndexes(n, per);
        int[] sym = new int[(int) total];
        for (int b = 0; b < strings.length; b++) {
            RansDecoder.decode(strings[b], 0, strings[b].length, indexes, 0, n, tables, sym, b * n);
        }
        float[] v = new float[sym.length];
        for (int i = 0; i < v.length; i++) v[i] = (float) sym[i] + median((i / per) % channels);
        int[] shape = new int[spatial.length + 2];
        shape[0] = strings.length;
        shape[1] = channels;
        System.arraycopy(spatial, 0, shape, 2, spatial.length);
        return Tensor.fromFloats(v, shape);
    }

    private static int[] channelIndexes(int n, int per) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i / per;
        return idx;
    }

    private float[] values(Tensor x) {
        if (x.rank() < 2 || x.dim(1) != channels || x.dim(0) < 1) {
            throw new IllegalArgumentException("entropy bottleneck of " + channels + " channels given " + x);
        }
        if (x.dtype() != DType.F32) throw new IllegalArgumentException("entropy bottleneck needs F32, given " + x);
        return x.toFloatArray();
    }

    private static int perChannel(Tensor x) {
        return Math.toIntExact(x.numel() / ((long) x.dim(0) * x.dim(1)));
    }
}
