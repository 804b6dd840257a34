package dev.sodec.codec.compression;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.RansDecoder;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * The two entropy models of a hyperprior model, from CompressAI's buffers: the factorized {@code
 * entropy_bottleneck} for z (row = channel, symbols {@code round(z - median[c])}) and the {@code
 * gaussian_conditional} for y (row = scale index). Only the coding buffers are used ({@code _quantized_cdf},
 * {@code _cdf_length}, {@code _offset}, {@code quantiles}, {@code scale_table}, {@code lower_bound_scale.bound});
 * the learned density parameters are training state and are consumed without use.
 *
 * <p>Immutable after loading; safe to share between threads.
 */
public final class EntropyCoding {
    private final float[] medians;
    private final CdfTables zTables;
    private final float[] scaleTable;
    private final float lowerBoundScale;
    private final CdfTables yTables;

    private EntropyCoding(float[] medians, CdfTables zTables, float[] scaleTable, float lowerBoundScale, CdfTables yTables) {
        this.medians = medians;
        this.zTables = zTables;
        this.scaleTable = scaleTable;
        this.lowerBoundScale = lowerBoundScale;
        this.yTables = yTables;
    }

    /** From an unscoped state dict with CompressAI keys; N = z channels. */
    public static EntropyCoding load(StateDict sd, int n) {
        StateDict eb = sd.scope("entropy_bottleneck");
        Tensor quantiles = eb.take("quantiles", n, 1, 3).toF32();
        float[] medians = new float[n];
        for (int c = 0; c < n; c++) medians[c] = quantiles.getFloat(c * 3L + 1);
        CdfTables z = CdfTables.of(eb.take("_quantized_cdf"), eb.take("_cdf_length"), eb.take("_offset"));
        if (z.rows() != n) throw new IllegalArgumentException("entropy_bottleneck: " + z.rows() + " CDF rows for " + n + " channels");
        // the learned density (training state; the CDF buffers above already encode it)
        for (int i = 0; i < 5; i++) {
            eb.take("_matrix" + i);
            eb.take("_bias" + i);
            if (i < 4) eb.take("_factor" + i);
        }
        eb.ignore("target");
        eb.ignore("likelihood_lower_bound.bound");

        StateDict gc = sd.scope("gaussian_conditional");
        float[] table = gc.take("scale_table").toFloatArray();
        if (table.length < 1) throw new IllegalArgumentException("gaussian_conditional.scale_table is empty");
        for (int i = 1; i < table.length; i++) {
            if (!(table[i] > table[i - 1])) throw new IllegalArgumentException("gaussian_conditional.scale_table is not increasing at " + i);
        }
        float bound = gc.has("lower_bound_scale.bound") ? gc.take("lower_bound_scale.bound").toF32().getFloat(0) : table[0];
        CdfTables y = CdfTables.of(gc.take("_quantized_cdf"), gc.take("_cdf_length"), gc.take("_offset"));
        if (y.rows() != table.length) {
            throw new IllegalArgumentException("gaussian_conditional: " + y.rows() + " CDF rows for a scale table of " + table.length);
        }
        gc.ignore("likelihood_lower_bound.bound");
        gc.ignore("scale_bound");
        return new EntropyCoding(medians, z, table, bound, y);
    }

    public int zChannels() { return medians.length; }

    /** round(z - median[c]) with ties to even, z (1, N, H, W) flattened in (C, H, W) order. */
    public int[] zSymbols(Tensor z) {
        float[] v = z.toFloatArray();
        int c = z.dim(1), plane = v.length / c;
        int[] s = new int[v.length];
        for (int i = 0; i < v.length; i++) s[i] = toSymbol(v[i] - medians[i / plane]);
        return s;
    }

    public byte[] compressZ(int[] symbols, int channels, int plane) {
        return new RansEncoder(symbols.length * 2 + 16).encode(symbols, channelIndexes(channels, plane), zTables);
    }

    /** z_hat (1, N, h, w) = decoded symbols + median[c]. */
    public Tensor decompressZ(byte[] stream, int h, int w) {
        int c = medians.length, plane = h * w;
        int[] sym = RansDecoder.decode(stream, channelIndexes(c, plane), zTables);
        return dequantize(sym, medians, plane, null, new int[] {1, c, h, w});
    }

    /**
     * CompressAI build_indexes: s = max(scale, lower bound), index = last - #{k < last : s <= table[k]} (the first
     * k with s <= table[k], else the last row; NaN gets the last row).
     */
    public int[] buildIndexes(Tensor scales) {
        float[] v = scales.toFloatArray();
        int last = scaleTable.length - 1;
        int[] idx = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float s = Math.max(v[i], lowerBoundScale);
            int k = last;
            for (int t = 0; t < last; t++) if (s <= scaleTable[t]) k--;
            idx[i] = k;
        }
        return idx;
    }

    /** round(y - means) (or round(y) without means), ties to even. */
    public int[] ySymbols(Tensor y, Tensor means) {
        float[] v = y.toFloatArray();
        float[] m = means == null ? null : means.toFloatArray();
        int[] s = new int[v.length];
        for (int i = 0; i < v.length; i++) s[i] = toSymbol(m == null ? v[i] : v[i] - m[i]);
        return s;
    }

    public byte[] compressY(int[] symbols, int[] indexes) {
        return new RansEncoder(symbols.length * 2 + 16).encode(symbols, indexes, yTables);
    }

    public int[] decompressYSymbols(byte[] stream, int[] indexes) {
        return RansDecoder.decode(stream, indexes, yTables);
    }

    /** y_hat = symbols + means (or the symbols as floats). */
    public static Tensor dequantizeY(int[] symbols, Tensor means, int[] shape) {
        float[] m = means == null ? null : means.toFloatArray();
        return dequantize(symbols, null, 1, m, shape);
    }

    private static Tensor dequantize(int[] sym, float[] perChannel, int plane, float[] perElement, int[] shape) {
        float[] out = new float[sym.length];
        for (int i = 0; i < sym.length; i++) {
            float add = perChannel != null ? perChannel[i / plane] : perElement != null ? perElement[i] : 0f;
            out[i] = sym[i] + add;
        }
        return Tensor.fromFloats(out, shape);
    }

    private static int[] channelIndexes(int channels, int plane) {
        int[] idx = new int[channels * plane];
        for (int i = 0; i < idx.length; i++) idx[i] = i / plane;
        return idx;
    }

    /** torch.round then int32: ties to even; values beyond int range are an encoder-side error. */
    private static int toSymbol(float v) {
        double r = Math.rint(v);
        if (!(Math.abs(r) < (1 << 30))) throw new IllegalArgumentException("latent value " + v + " cannot be entropy coded");
        return (int) r;
    }
}
