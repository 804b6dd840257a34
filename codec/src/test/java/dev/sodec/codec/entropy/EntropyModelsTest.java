package dev.sodec.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.compressai.CompressAi;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EntropyBottleneck and GaussianConditional against the CompressAI reference outputs of the mbt2018_mean golden
 * case (stored tables: strings, symbols, indexes, decoded tensors) and the pre-update checkpoint case (tables
 * rebuilt from learned parameters must equal what update(force=True) gave).
 */
class EntropyModelsTest {
    private static final Path SHARED = Path.of(System.getProperty("sodec.shared"));
    private static SafeTensors weights, io;

    @BeforeAll
    static void open() throws Exception {
        Path dir = SHARED.resolve("golden/model.compressai.mbt2018_mean");
        weights = SafeTensors.open(dir.resolve("weights.safetensors"));
        io = SafeTensors.open(dir.resolve("io.safetensors"));
    }

    @AfterAll
    static void close() {
        weights.close();
        io.close();
    }

    private static StateDict stateDict() {
        return new StateDict(weights.tensors(), "mbt2018_mean");
    }

    /** Every key under the scope was consumed by the loader (the runner's "all keys used" rule, per module). */
    private static void assertScopeConsumed(StateDict root, String scope) {
        Map<String, Tensor> only = new LinkedHashMap<>();
        for (String k : root.scope(scope).keys()) only.put(k, weights.get(k));
        StateDict sd = new StateDict(only, scope);
        if (scope.equals("entropy_bottleneck")) EntropyBottleneck.load(sd.scope(scope));
        else GaussianConditional.load(sd.scope(scope));
        sd.requireAllConsumed();
    }

    @Test
    void bottleneckCodesZLikeCompressAi() {
        EntropyBottleneck eb = EntropyBottleneck.load(stateDict().scope("entropy_bottleneck"));
        Tensor z = io.get("out.z");
        assertArrayEquals(io.get("out.z_symbols").toIntArray(), eb.symbols(z).toIntArray());
        byte[][] s = eb.compress(z);
        assertEquals(1, s.length);
        assertArrayEquals(io.get("out.z_string").toByteArray(), s[0]);
        Tensor zHat = eb.decompress(new byte[][] {io.get("out.z_string").toByteArray()}, z.dim(2), z.dim(3));
        assertArrayEquals(z.shape(), zHat.shape());
        assertArrayEquals(io.get("out.z_hat").toFloatArray(), zHat.toFloatArray());
        assertArrayEquals(io.get("out.z_hat").toFloatArray(), eb.dequantize(z).toFloatArray());
        assertScopeConsumed(stateDict(), "entropy_bottleneck");
    }

    @Test
    void gaussianConditionalCodesYLikeCompressAi() {
        GaussianConditional gc = GaussianConditional.load(stateDict().scope("gaussian_conditional"));
        Tensor y = io.get("out.y"), scales = io.get("out.scales_hat"), means = io.get("out.means_hat");
        Tensor idx = gc.buildIndexes(scales);
        assertArrayEquals(io.get("out.y_indexes").toIntArray(), idx.toIntArray());
        assertArrayEquals(io.get("out.y_symbols").toIntArray(), gc.symbols(y, means).toIntArray());
        byte[][] s = gc.compress(y, idx, means);
        assertArrayEquals(io.get("out.y_string").toByteArray(), s[0]);
        Tensor yHat = gc.decompress(new byte[][] {io.get("out.y_string").toByteArray()}, idx, means);
        assertArrayEquals(io.get("out.y_hat").toFloatArray(), yHat.toFloatArray());
        assertScopeConsumed(stateDict(), "gaussian_conditional");
    }

    @Test
    void rebuiltTablesEqualTheStoredOnes() {
        // update(force=True) from the learned parameters / the stored scale table reproduces the stored buffers.
        EntropyBottleneck stored = EntropyBottleneck.load(stateDict().scope("entropy_bottleneck"));
        EntropyBottleneck rebuilt = EntropyBottleneck.load(stateDict().scope("entropy_bottleneck"), true);
        assertSameBuffers(stored.tableBuffers(), rebuilt.tableBuffers());
        GaussianConditional gc = GaussianConditional.load(stateDict().scope("gaussian_conditional"));
        GaussianConditional gcRebuilt = gc.withScaleTable(gc.scaleTable());
        assertSameBuffers(gc.tableBuffers(), gcRebuilt.tableBuffers());
        // and the stored scale table is CompressAI's default one
        assertArrayEquals(weights.get("gaussian_conditional.scale_table").toFloatArray(), GaussianConditional.defaultScaleTable());
    }

    @Test
    void defaultScaleTableAndMultiplierMatchTheReference() throws Exception {
        try (SafeTensors g = SafeTensors.open(SHARED.resolve("golden/entropy.gaussian_update/io.safetensors"))) {
            float[] ref = g.get("in.scale_table").toFloatArray();
            assertArrayEquals(ref, GaussianConditional.defaultScaleTable());
            // the computed table is within one ulp of torch's (whose exp is not correctly rounded)
            float[] computed = GaussianConditional.scaleTable(0.11, 256, 64);
            for (int i = 0; i < ref.length; i++) assertEquals(ref[i], computed[i], Math.ulp(ref[i]), "entry " + i);
        }
        // -scipy.stats.norm.ppf(5e-10) as quoted in the case notes
        assertEquals(6.1094102048693975, Normal.upperQuantile(5e-10), 2 * Math.ulp(6.1094102048693975));
        assertEquals(0.0, Normal.upperQuantile(0.5), 1e-15);
        assertEquals(1.959963984540054, Normal.upperQuantile(0.025), 1e-14);
    }

    /**
     * The converter's pre-update hook against update(force=True)'s tables for a checkpoint saved before update():
     * every table and the scale table exactly. The hook is the builder the converter finds by itself.
     */
    @Test
    void preUpdateCheckpointTables() throws Exception {
        Path dir = SHARED.resolve("checkpoints/checkpoint.compressai.mbt2018_mean.train_preupdate");
        try (SafeTensors exp = SafeTensors.open(dir.resolve("io.safetensors"));
             Conversion c = CompressAi.convert(Checkpoints.open(dir.resolve("checkpoint.pth.tar")), new CompressAiTableBuilder(), false)) {
            for (String k : CompressAi.TABLE_KEYS) {
                Tensor got = c.model().weights().get(k).data().get();
                Tensor e = exp.get("out." + k);
                assertArrayEquals(e.shape(), got.shape(), k);
                if (k.endsWith("scale_table")) assertArrayEquals(e.toFloatArray(), got.toFloatArray(), k);
                else assertArrayEquals(e.toIntArray(), got.toIntArray(), k);
            }
        }
        assertTrue(dev.sodec.convert.compressai.EntropyTableBuilder.installed() instanceof CompressAiTableBuilder);
    }

    /**
     * Where torch's products depend on OpenBLAS's thread count (8+ filters, more than 65536 * 4 multiply-adds per
     * channel) no table is CompressAI's: the rebuild is refused, and says why.
     */
    @Test
    void threadDependentTablesAreRefused() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        float[] q = {-2500f, 0.3f, 2500f}; // 5001 samples
        w.put("quantiles", Tensor.fromFloats(q, 1, 1, 3));
        int[] widths = {1, 8, 8, 1};
        for (int i = 0; i < 3; i++) {
            float[] m = new float[widths[i + 1] * widths[i]];
            Arrays.fill(m, -1f);
            w.put("_matrix" + i, Tensor.fromFloats(m, 1, widths[i + 1], widths[i]));
            w.put("_bias" + i, Tensor.fromFloats(new float[widths[i + 1]], 1, widths[i + 1], 1));
            if (i < 2) w.put("_factor" + i, Tensor.fromFloats(new float[widths[i + 1]], 1, widths[i + 1], 1));
        }
        StateDict sd = new StateDict(w, "wide");
        BottleneckTables.NotReproducibleException e = assertThrows(BottleneckTables.NotReproducibleException.class,
                () -> EntropyBottleneck.load(sd, true));
        assertTrue(e.getMessage().contains("thread") && e.getMessage().contains("update(force=True)"), e.getMessage());
    }

    @Test
    void hostileParametersAreRefused() {
        Map<String, Tensor> w = new LinkedHashMap<>(weights.tensors());
        float[] q = w.get("entropy_bottleneck.quantiles").toFloatArray();
        q[2] = 1e9f; // upper quantile of channel 0: a pmf of a billion symbols
        w.put("entropy_bottleneck.quantiles", Tensor.fromFloats(q, w.get("entropy_bottleneck.quantiles").shape()));
        StateDict sd = new StateDict(w, "hostile");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EntropyBottleneck.load(sd.scope("entropy_bottleneck"), true));
        assertTrue(e.getMessage().contains("quantiles"), e.getMessage());
        q[2] = Float.NaN;
        w.put("entropy_bottleneck.quantiles", Tensor.fromFloats(q, w.get("entropy_bottleneck.quantiles").shape()));
        assertThrows(IllegalArgumentException.class,
                () -> EntropyBottleneck.load(new StateDict(w, "nan").scope("entropy_bottleneck"), true));
        GaussianConditional gc = GaussianConditional.load(stateDict().scope("gaussian_conditional"));
        assertThrows(IllegalArgumentException.class, () -> gc.withScaleTable(new float[] {0.11f, 1e9f}));
        assertThrows(IllegalArgumentException.class, () -> gc.withScaleTable(new float[] {0.5f, 0.2f}));
        assertThrows(IllegalArgumentException.class, () -> gc.withScaleTable(new float[] {Float.NaN}));
        // non-finite latents cannot be coded
        Tensor y = io.get("out.y");
        float[] v = y.toFloatArray();
        v[3] = Float.POSITIVE_INFINITY;
        Tensor idx = gc.buildIndexes(io.get("out.scales_hat"));
        assertThrows(IllegalArgumentException.class, () -> gc.compress(Tensor.fromFloats(v, y.shape()), idx, null));
        // stored tables that are not CDFs
        Map<String, Tensor> w2 = new LinkedHashMap<>(weights.tensors());
        int[] cdf = w2.get("gaussian_conditional._quantized_cdf").toIntArray();
        cdf[2] = cdf[1]; // row 0 has 5 entries: a zero frequency
        w2.put("gaussian_conditional._quantized_cdf", Tensor.fromInts(cdf, w2.get("gaussian_conditional._quantized_cdf").shape()));
        assertThrows(IllegalArgumentException.class, () -> GaussianConditional.load(new StateDict(w2, "bad cdf").scope("gaussian_conditional")));
    }

    @Test
    void indexesFollowTheReferenceCountOnAnyScale() {
        // build_indexes: last - #{k < last : max(s, bound) <= table[k]}, the reference's formula, as the oracle.
        GaussianConditional gc = GaussianConditional.load(stateDict().scope("gaussian_conditional"));
        float[] table = gc.scaleTable();
        java.util.Random r = new java.util.Random(7);
        float[] s = new float[20000];
        for (int i = 0; i < s.length; i++) {
            s[i] = switch (i % 5) {
                case 0 -> table[r.nextInt(table.length)]; // exactly on a boundary
                case 1 -> Math.nextDown(table[r.nextInt(table.length)]);
                case 2 -> (float) Math.exp(r.nextGaussian() * 3);
                case 3 -> (float) (r.nextGaussian() * 0.2);
                default -> List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e30f).get(r.nextInt(6));
            };
        }
        int[] got = new int[s.length];
        gc.buildIndexes(s, 0, s.length, got, 0);
        float bound = weights.get("gaussian_conditional.lower_bound_scale.bound").toFloatArray()[0];
        for (int i = 0; i < s.length; i++) {
            float v = Math.max(s[i], bound);
            int k = table.length - 1;
            for (int t = 0; t < table.length - 1; t++) if (v <= table[t]) k--;
            assertEquals(k, got[i], "scale " + s[i]);
        }
    }

    @Test
    void hostileDecodeSizesAreRefusedBeforeAllocating() {
        EntropyBottleneck eb = EntropyBottleneck.load(stateDict().scope("entropy_bottleneck"));
        byte[][] one = {io.get("out.z_string").toByteArray()};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> eb.decompress(one, 1 << 16, 1 << 16));
        assertTrue(e.getMessage().contains("symbols"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> eb.decompress(one, 1 << 20, 1 << 20, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> eb.decompress(one, 0, 5));
        // the right stream with the wrong size is reported as corrupt, not decoded into garbage
        assertThrows(CorruptStreamException.class, () -> eb.decompress(one, 2, 2));
    }

    @Test
    void tablesAreMissingUntilAScaleTableIsGiven() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (String k : List.of("scale_bound", "lower_bound_scale.bound", "likelihood_lower_bound.bound")) {
            w.put(k, weights.get("gaussian_conditional." + k));
        }
        GaussianConditional gc = GaussianConditional.load(new StateDict(w, "bare"));
        assertFalse(gc.hasTables());
        IllegalStateException e = assertThrows(IllegalStateException.class, gc::tables);
        assertTrue(e.getMessage().contains("withScaleTable"));
        assertTrue(gc.withScaleTable(GaussianConditional.defaultScaleTable()).hasTables());
    }

    private static void assertSameBuffers(Map<String, Tensor> exp, Map<String, Tensor> got) {
        assertEquals(exp.keySet(), got.keySet());
        for (String k : exp.keySet()) {
            assertArrayEquals(exp.get(k).shape(), got.get(k).shape(), k);
            if (k.equals("scale_table")) assertArrayEquals(exp.get(k).toFloatArray(), got.get(k).toFloatArray(), k);
            else assertArrayEquals(exp.get(k).toIntArray(), got.get(k).toIntArray(), k);
        }
    }
}
