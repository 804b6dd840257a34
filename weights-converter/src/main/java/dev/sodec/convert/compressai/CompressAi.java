package dev.sodec.convert.compressai;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.model.EngineModel;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CompressAI state dicts (zoo files, training checkpoints): the architecture and its N, M are recognised from key
 * names and shapes, names stay CompressAI's (the engine uses them), and the entropy tables are taken from the file
 * or, when empty (saved before update()) or when a rebuild is asked for, built by an {@link EntropyTableBuilder}
 * exactly as update(force=True) builds them. All weights stay F32 whatever the output dtype: the decoder must
 * recompute the encoder's CDF indexes bit for bit.
 */
public final class CompressAi {
    /** Tables update(force=True) fills; empty in checkpoints saved before update(). */
    public static final List<String> TABLE_KEYS = List.of("entropy_bottleneck._quantized_cdf", "entropy_bottleneck._offset",
            "entropy_bottleneck._cdf_length", "gaussian_conditional._quantized_cdf", "gaussian_conditional._offset",
            "gaussian_conditional._cdf_length", "gaussian_conditional.scale_table");

    private CompressAi() {}

    public static boolean isCompressAi(Map<String, Tensor> sd) {
        return sd.containsKey("g_a.0.weight") && sd.keySet().stream().anyMatch(k -> k.startsWith("entropy_bottleneck."));
    }

    /** The zoo architecture name for these keys (CompressAI's model registry names). */
    public static String architecture(Map<String, Tensor> sd, String file) throws CheckpointException {
        if (!sd.containsKey("g_a.0.weight") || !sd.containsKey("g_a.6.weight")) {
            throw new CheckpointException(file + ": not a CompressAI g_a/g_s model (g_a.0.weight / g_a.6.weight missing)");
        }
        if (sd.containsKey("context_prediction.weight")) return "mbt2018";
        if (!sd.containsKey("h_a.0.weight")) return "bmshj2018_factorized";
        Tensor hs4 = sd.get("h_s.4.weight");
        int m = sd.get("g_a.6.weight").dim(0);
        if (hs4 == null) throw new CheckpointException(file + ": CompressAI hyperprior without h_s.4.weight");
        if (hs4.dim(0) == 2 * m) return "mbt2018_mean";
        if (hs4.dim(0) == m) return "bmshj2018_hyperprior";
        throw new CheckpointException(file + ": unrecognised CompressAI architecture (h_s.4.weight " + java.util.Arrays.toString(hs4.shape()) + ")");
    }

    /** Takes ownership of {@code w}; empty entropy tables are built by the {@linkplain EntropyTableBuilder#installed() installed} builder. */
    public static Conversion convert(Weights w) throws CheckpointException {
        return convert(w, null, false);
    }

    /**
     * As {@link #convert(Weights)}.
     *
     * @param builder builds the tables (null: the installed one; with none installed, checkpoints that need
     *     tables built are refused)
     * @param rebuild build the tables even when the file has them (update(force=True) on the learned parameters,
     *     replacing stale stored tables)
     */
    public static Conversion convert(Weights w, EntropyTableBuilder builder, boolean rebuild) throws CheckpointException {
        String file = w.fileName();
        Map<String, Tensor> sd = w.tensors();
        String arch = architecture(sd, file);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("N", (long) sd.get("g_a.0.weight").dim(0));
        config.put("M", (long) sd.get("g_a.6.weight").dim(0));
        Map<String, Tensor> out = new LinkedHashMap<>(sd);
        boolean empty = false;
        for (String k : TABLE_KEYS) {
            Tensor t = sd.get(k);
            if (t != null && t.numel() == 0) empty = true;
        }
        if (empty || rebuild) out.putAll(buildTables(sd, config, file, builder == null ? EntropyTableBuilder.installed() : builder));
        for (String k : TABLE_KEYS) {
            if (k.startsWith("gaussian_conditional") && arch.equals("bmshj2018_factorized")) continue;
            Tensor t = out.get(k);
            if (t == null || t.numel() == 0) throw new CheckpointException(file + ": CompressAI entropy table " + k + " is missing or empty");
        }
        EngineModel m = EngineModel.of("compressai." + arch, config, out).withExactF32(k -> true);
        return new Conversion(m, file, List.of(w));
    }

    private static Map<String, Tensor> buildTables(Map<String, Tensor> sd, Map<String, Object> config, String file,
                                                   EntropyTableBuilder builder) throws CheckpointException {
        if (builder == null) {
            throw new CheckpointException(file + ": the entropy tables (entropy_bottleneck._quantized_cdf, ...) must be built"
                    + " (the checkpoint was saved before CompressAI's update()) but no entropy table builder is on the class"
                    + " path: convert with sodec (the codec module provides one), or run net.update(force=True) and save the"
                    + " state_dict again");
        }
        try {
            return builder.build(sd, config);
        } catch (CheckpointException e) {
            throw e;
        } catch (Exception e) {
            throw new CheckpointException(file + ": building the entropy tables failed: " + e.getMessage(), e);
        }
    }
}
