package dev.sodec.codec.entropy;

import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CompressAI's GaussianConditional at inference: symbol {@code round(y - mean)} (half to even) is coded with the
 * table of a zero-mean Gaussian whose scale is the first scale-table entry at or above the predicted scale.
 *
 * <p>Loads from a StateDict scoped to {@code gaussian_conditional} with CompressAI's keys: {@code scale_table},
 * {@code scale_bound}, {@code lower_bound_scale.bound}, {@code likelihood_lower_bound.bound} and the table buffers
 * {@code _quantized_cdf}, {@code _offset}, {@code _cdf_length}. Stored tables are used when present; otherwise they
 * are rebuilt from the scale table ({@link #withScaleTable}, CompressAI {@code update_scale_table(force=True)}).
 * Index computation is a pure per-element function of the scale (fixed comparisons against the table), so the
 * decoder derives the encoder's indexes on any machine and thread count. Immutable and thread-safe.
 */
public final class GaussianConditional {
    /** CompressAI's default tail mass; not stored in checkpoints. */
    public static final double DEFAULT_TAIL_MASS = 1e-9;
    public static final int MAX_SYMBOLS = EntropyBottleneck.MAX_SYMBOLS;

    private final float[] scaleTable; // empty when none is known yet
    private final float scaleBound;
    private final Tensor scaleBoundBuffer;
    private final float likelihoodBound;
    private final CdfTables tables; // null when no scale table is known yet

    private GaussianConditional(float[] scaleTable, float scaleBound, Tensor scaleBoundBuffer, float likelihoodBound,
                                CdfTables tables) {
        this.scaleTable = scaleTable;
        this.scaleBound = scaleBound;
        this.scaleBoundBuffer = scaleBoundBuffer;
        this.likelihoodBound = likelihoodBound;
        this.tables = tables;
    }

    /**
     * Loads; uses the stored tables when present and non-empty, else rebuilds them from {@code scale_table} with the
     * default tail mass. With neither, the model has no tables until {@link #withScaleTable}.
     */
    public static GaussianConditional load(StateDict sd) {
        Tensor table = sd.takeOptional("scale_table");
        Tensor scaleBoundBuffer = sd.takeOptional("scale_bound");
        float scaleBound = sd.take("lower_bound_scale.bound", 1).toFloatArray()[0];
        if (!(scaleBound > 0) || Float.isInfinite(scaleBound)) {
            throw new MissingWeightException(sd.prefix() + "lower_bound_scale.bound = " + scaleBound + " must be positive");
        }
        float likelihoodBound = EntropyBottleneck.likelihoodBound(sd);
        Tensor cdf = sd.takeOptional("_quantized_cdf");
        Tensor offset = sd.takeOptional("_offset");
        Tensor length = sd.takeOptional("_cdf_length");
        float[] st = table == null ? new float[0] : table.toFloatArray();
        if (table != null && table.rank() != 1) throw new MissingWeightException(sd.prefix() + "scale_table must be 1-D, got " + table);
        boolean stored = cdf != null && offset != null && length != null && offset.numel() > 0;
        CdfTables tables = null;
        if (stored) {
            tables = CdfTables.of(cdf, length, offset);
            if (tables.rows() != st.length) {
                throw new MissingWeightException(sd.prefix() + "_quantized_cdf has " + tables.rows() + " rows for a scale table of " + st.length);
            }
            checkScaleTable(st);
        } else if (st.length > 0) {
            checkScaleTable(st);
            tables = buildTables(st, DEFAULT_TAIL_MASS);
        }
        return new GaussianConditional(st, scaleBound, scaleBoundBuffer, likelihoodBound, tables);
    }

    /** CompressAI {@code update_scale_table(table, force=True)} with the default tail mass. */
    public GaussianConditional withScaleTable(float[] table) {
        return withScaleTable(table, DEFAULT_TAIL_MASS);
    }

    /** CompressAI {@code update_scale_table(table, force=True)} for a model built with {@code tail_mass}. */
    public GaussianConditional withScaleTable(float[] table, double tailMass) {
        float[] st = table.clone();
        checkScaleTable(st);
        return new GaussianConditional(st, scaleBound, scaleBoundBuffer, likelihoodBound, buildTables(st, tailMass));
    }

    /**
     * CompressAI {@code get_scale_table(min, max, levels)} = {@code exp(linspace(ln min, ln max, levels))} in float32.
     * torch computes linspace in 8-wide vector chunks ({@code base + j * step}, the base counted from the start in
     * the first half and from the end in the second) and exp with a vectorized approximation that is not correctly
     * rounded; this reproduces the linspace exactly but rounds exp correctly, so a few entries may differ from torch
     * by one ulp. CompressAI's default table, the one that matters, is {@link #defaultScaleTable()}, which is exact.
     */
    public static float[] scaleTable(double min, double max, int levels) {
        if (levels < 2 || levels > QuantizedCdf.TOTAL || !(min > 0) || !(max > min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("scale table (" + min + ", " + max + ", " + levels + ")");
        }
        float start = (float) Math.log(min), end = (float) Math.log(max);
        float step = (end - start) / (levels - 1);
        float[] t = new float[levels];
        int half = levels / 2;
        for (int chunk = 0; chunk < levels; chunk += 8) {
            float base = chunk < half ? start + step * chunk : end - step * (levels - 1 - chunk);
            for (int j = 0; j < 8 && chunk + j < levels; j++) t[chunk + j] = (float) Math.exp(base + j * step);
        }
        return t;
    }

    /**
     * CompressAI's default {@code get_scale_table()} (0.11 .. 256, 64 levels) exactly as torch 1.13 computes it: the
     * float32 bit patterns of the reference (the scale table stored in every updated CompressAI checkpoint and in
     * the golden cases). Stored rather than recomputed because torch's float exp is not correctly rounded.
     */
    public static float[] defaultScaleTable() {
        float[] t = new float[DEFAULT_SCALE_TABLE_BITS.length];
        for (int i = 0; i < t.length; i++) t[i] = Float.intBitsToFloat(DEFAULT_SCALE_TABLE_BITS[i]);
        return t;
    }

    private static final int[] DEFAULT_SCALE_TABLE_BITS = {
            0x3de147ae, 0x3dfec793, 0x3e101230, 0x3e22efc7, 0x3e3845c8, 0x3e506704, 0x3e6bb124, 0x3e85470a,
            0x3e96bacd, 0x3eaa779a, 0x3ec0ca0e, 0x3eda08ca, 0x3ef695cc, 0x3f0b6ff2, 0x3f1db234, 0x3f325889,
            0x3f49b318, 0x3f641c86, 0x3f80fdab, 0x3f91e1bd, 0x3fa4fc07, 0x3fba96ae, 0x3fd3058e, 0x3feea77c,
            0x4006f3dc, 0x40189fc7, 0x402c9c16, 0x4043365c, 0x405cc652, 0x4079af2f, 0x408d3097, 0x409fad98,
            0x40b4965a, 0x40cc3c0c, 0x40e6fa76, 0x41029cb1, 0x4113b71b, 0x41270eda, 0x413cef04, 0x4155ac84,
            0x4171a758, 0x4188a610, 0x419a8ad8, 0x41aec774, 0x41c5aa71, 0x41df8ca6, 0x41fcd287, 0x420ef6dd,
            0x4221af59, 0x4236db64, 0x424ecd30, 0x4269e1a0, 0x428440f0, 0x42959263, 0x42a9285d, 0x42bf4eec,
            0x42d85c06, 0x42f4b0e5, 0x430a5dbd, 0x431c7c18, 0x4330f9ce, 0x43482672, 0x43625bf2, 0x43800000,
    };

    private static void checkScaleTable(float[] st) {
        if (st.length < 1) throw new IllegalArgumentException("scale table is empty");
        for (int i = 0; i < st.length; i++) {
            if (!(st[i] > 0) || Float.isInfinite(st[i]) || (i > 0 && st[i] < st[i - 1])) {
                throw new IllegalArgumentException("scale_table[" + i + "] = " + st[i]
                        + ": the table must be positive, finite and non-decreasing");
            }
        }
    }

    /**
     * CompressAI {@code GaussianConditional.update()}: row k is the pmf of a N(0, scale_table[k]) quantized to the
     * integers within {@code ceil(scale * multiplier)} of 0, plus the two-sided tail mass, in float32.
     */
    static CdfTables buildTables(float[] scaleTable, double tailMass) {
        float multiplier = (float) Normal.upperQuantile(tailMass / 2);
        int rows = scaleTable.length;
        int[] center = new int[rows];
        long entries = 0;
        for (int k = 0; k < rows; k++) {
            float c = (float) Math.ceil(scaleTable[k] * multiplier);
            if (!(c <= (QuantizedCdf.MAX_SYMBOLS - 2) / 2)) {
                throw new IllegalArgumentException("scale_table[" + k + "] = " + scaleTable[k] + " needs more than "
                        + QuantizedCdf.MAX_SYMBOLS + " symbols");
            }
            center[k] = (int) c;
            entries += 2L * center[k] + 3;
        }
        if (entries > CdfTables.MAX_ENTRIES) throw new IllegalArgumentException("gaussian tables too large");
        int[][] rowsCdf = new int[rows][];
        int[] offset = new int[rows];
        for (int k = 0; k < rows; k++) {
            int n = 2 * center[k] + 1;
            float scale = scaleTable[k];
            float[] pmf = new float[n + 1];
            for (int j = 0; j < n; j++) {
                float s = (float) Math.abs(j - center[k]);
                float upper = Normal.standardizedCumulative((0.5f - s) / scale);
                float lower = Normal.standardizedCumulative((-0.5f - s) / scale);
                pmf[j] = upper - lower;
            }
            float s0 = (float) center[k];
            pmf[n] = 2 * Normal.standardizedCumulative((-0.5f - s0) / scale);
            rowsCdf[k] = QuantizedCdf.fromPmf(pmf);
            offset[k] = -center[k];
        }
        return CdfTables.fromRows(rowsCdf, offset);
    }

    public boolean hasTables() { return tables != null; }

    public CdfTables tables() {
        if (tables == null) throw new IllegalStateException("gaussian_conditional has no scale table yet: call withScaleTable");
        return tables;
    }

    public float[] scaleTable() { return scaleTable.clone(); }

    /** The buffers CompressAI stores after update ({@code scale_table} and the table buffers). */
    public Map<String, Tensor> tableBuffers() {
        CdfTables t = tables();
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("scale_table", Tensor.fromFloats(scaleTable.clone(), scaleTable.length));
        m.put("_quantized_cdf", t.quantizedCdfTensor());
        m.put("_offset", t.offsetTensor());
        m.put("_cdf_length", t.cdfLengthTensor());
        return m;
    }

    /**
     * CompressAI {@code build_indexes}: with s = max(scale, lower bound), the first k with s <= scale_table[k], else
     * the last index (also for NaN). Equal to the reference's count of {@code s <= table[k]} for a sorted table.
     */
    public void buildIndexes(float[] scales, int from, int n, int[] out, int outFrom) {
        float[] st = scaleTable;
        if (st.length == 0) tables(); // throws the "no scale table" error
        int last = st.length - 1;
        for (int i = 0; i < n; i++) {
            float s = Math.max(scales[from + i], scaleBound);
            int lo = 0, hi = last; // answer in [0, last]; table[last] is never compared
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (s <= st[mid]) hi = mid; else lo = mid + 1;
            }
            out[outFrom + i] = lo;
        }
    }

    /** {@link #buildIndexes(float[], int, int, int[], int)} over a tensor; I32 of the same shape. */
    public Tensor buildIndexes(Tensor scales) {
        float[] s = f32(scales, "scales");
        int[] idx = new int[s.length];
        buildIndexes(s, 0, s.length, idx, 0);
        return Tensor.fromInts(idx, scales.shape());
    }

    /** {@code round(x - means)} (half to even) as I32; {@code means} may be null (zero mean). */
    public Tensor symbols(Tensor x, Tensor means) {
        float[] v = f32(x, "x");
        float[] m = means(means, x);
        int[] s = new int[v.length];
        for (int i = 0; i < v.length; i++) s[i] = Quantizer.symbol(v[i], m == null ? 0f : m[i], i);
        return Tensor.fromInts(s, x.shape());
    }

    /**
     * {@code round(x - means)} of {@code n} values from {@code x[xFrom]} and {@code means[mFrom]} ({@code means} null
     * for zero mean) into {@code out[outFrom]}: {@link #symbols(Tensor, Tensor)} for a part of a latent.
     */
    public void symbols(float[] x, int xFrom, float[] means, int mFrom, int n, int[] out, int outFrom) {
        for (int i = 0; i < n; i++) out[outFrom + i] = Quantizer.symbol(x[xFrom + i], means == null ? 0f : means[mFrom + i], xFrom + i);
    }

    /** The string of {@link #compress} for one image from its symbols and CDF indexes, both in NCHW order. */
    public byte[] encode(int[] symbols, int[] indexes) {
        if (symbols.length != indexes.length) throw new IllegalArgumentException(symbols.length + " symbols, " + indexes.length + " indexes");
        return new RansEncoder(symbols.length * 2 + 64).encode(symbols, 0, indexes, 0, symbols.length, tables());
    }

    /** The eval forward's quantization {@code round(x - means) + means}. */
    public Tensor dequantize(Tensor x, Tensor means) {
        float[] v = f32(x, "x");
        float[] m = means(means, x);
        for (int i = 0; i < v.length; i++) {
            float mu = m == null ? 0f : m[i];
            v[i] = m == null ? (float) Math.rint(v[i]) : (float) Math.rint(v[i] - mu) + mu;
        }
        return Tensor.fromFloats(v, x.shape());
    }

    /** The eval forward's likelihoods of quantized values {@code xHat} under N(means, max(scales, bound)). */
    public Tensor likelihoods(Tensor xHat, Tensor scales, Tensor means) {
        float[] v = f32(xHat, "x_hat");
        float[] s = f32(scales, "scales");
        if (s.length != v.length) throw new IllegalArgumentException("scales " + scales + " do not match " + xHat);
        float[] m = means(means, xHat);
        for (int i = 0; i < v.length; i++) {
            float a = Math.abs(m == null ? v[i] : v[i] - m[i]);
            float sc = Math.max(s[i], scaleBound);
            float upper = Normal.standardizedCumulative((0.5f - a) / sc);
            float lower = Normal.standardizedCumulative((-0.5f - a) / sc);
            v[i] = Math.max(upper - lower, likelihoodBound);
        }
        return Tensor.fromFloats(v, xHat.shape());
    }

    /** One stream per batch item of x (B, ...): symbols {@code round(x - means)} with rows {@code indexes} (I32, x's shape). */
    public byte[][] compress(Tensor x, Tensor indexes, Tensor means) {
        int[] sym = symbols(x, means).toIntArray();
        int[] idx = indexes(indexes, x.shape());
        int batch = x.dim(0), n = sym.length / batch;
        CdfTables t = tables();
        RansEncoder enc = new RansEncoder(n * 2 + 64);
        byte[][] out = new byte[batch][];
        for (int b = 0; b < batch; b++) out[b] = enc.encode(sym, b * n, idx, b * n, n, t);
        return out;
    }

    /** Decodes {@code strings[b]} with rows {@code indexes} (B, ...) and returns {@code symbols + means} (F32). */
    public Tensor decompress(byte[][] strings, Tensor indexes, Tensor means) {
        int[] shape = indexes.shape();
        if (shape.length < 1 || shape[0] != strings.length || indexes.numel() > MAX_SYMBOLS) {
            throw new IllegalArgumentException(strings.length + " streams for indexes " + indexes + " (at most " + MAX_SYMBOLS + " symbols)");
        }
        int[] idx = indexes(indexes, shape);
        float[] m = means(means, indexes);
        CdfTables t = tables();
        int n = idx.length / Math.max(strings.length, 1);
        int[] sym = new int[idx.length];
        for (int b = 0; b < strings.length; b++) {
            RansDecoder.decode(strings[b], 0, strings[b].length, idx, b * n, n, t, sym, b * n);
        }
        float[] v = new float[sym.length];
        for (int i = 0; i < v.length; i++) v[i] = m == null ? (float) sym[i] : (float) sym[i] + m[i];
        return Tensor.fromFloats(v, shape);
    }

    private static float[] f32(Tensor t, String what) {
        if (t.dtype() != DType.F32 || t.rank() < 1) throw new IllegalArgumentException(what + " must be an F32 tensor, got " + t);
        return t.toFloatArray();
    }

    private static float[] means(Tensor means, Tensor like) {
        if (means == null) return null;
        if (!Arrays.equals(means.shape(), like.shape())) {
            throw new IllegalArgumentException("means " + means + " do not match " + like);
        }
        return f32(means, "means");
    }

    private static int[] indexes(Tensor indexes, int[] shape) {
        if (indexes.dtype() != DType.I32 || !Arrays.equals(indexes.shape(), shape)) {
            throw new IllegalArgumentException("indexes must be I32 of shape " + Arrays.toString(shape) + ", got " + indexes);
        }
        return indexes.toIntArray();
    }
}
