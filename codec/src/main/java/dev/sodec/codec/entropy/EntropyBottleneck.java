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
 * table buffers {@code _quantized_cdf}, {@code _offset}, {@code _cdf_length}. The stored tables are used when
 * present; when they are absent or empty (a checkpoint saved before CompressAI's {@code update()}) they are rebuilt
 * from the learned parameters bit for bit as {@code update(force=True)} does ({@link BottleneckTables}).
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
            tables = BottleneckTables.build(quantiles, density);
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

    /**
     * The eval forward's likelihoods of quantized values {@code xHat} (B, C, ...), lower-bounded like the reference:
     * computed on the (C, B * spatial) layout CompressAI uses, as torch does with one intra-op thread.
     */
    public Tensor likelihoods(Tensor xHat) {
        float[] v = values(xHat);
        int per = perChannel(xHat), batch = xHat.dim(0), n = batch * per;
        float[] byChannel = new float[v.length];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) System.arraycopy(v, (b * channels + c) * per, byChannel, c * n + b * per, per);
        }
        float[] pmf = density.likelihood(byChannel, n).pmf(1);
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                for (int s = 0; s < per; s++) {
                    v[(b * channels + c) * per + s] = Math.max(pmf[c * n + b * per + s], likelihoodBound);
                }
            }
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
