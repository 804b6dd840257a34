package dev.sodec.codec.compression;

import dev.sodec.codec.io.FileDigests;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsException;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.JsonException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * A loaded compression model: config, identity, networks and entropy models.
 *
 * <p>Engine model-file contract (written by the weights converter): a safetensors file whose {@code __metadata__}
 * has {@code "config"}, a JSON object with {@code "N"}, {@code "M"} and {@code "architecture"} ({@code
 * "mbt2018-mean"} or {@code "bmshj2018-hyperprior"}; when absent, the {@code __metadata__} key {@code "model"} in
 * the converter's spelling {@code "compressai.mbt2018_mean"} / {@code "compressai.bmshj2018_hyperprior"} names
 * it), and {@code "format_version": "1"} (in {@code __metadata__} or inside the config). Tensors use CompressAI's state-dict names, including the coding buffers
 * {@code entropy_bottleneck._quantized_cdf/_offset/_cdf_length} and {@code gaussian_conditional.*}; every tensor
 * must be used by the model. The model identity stored in containers is the first 8 bytes of the SHA-256 of the
 * whole file.
 *
 * <p>Keeps the file mapped until {@link #close()}, which first frees the compiled graphs that read it.
 */
public final class CompressionModel implements AutoCloseable {
    public static final String FORMAT_VERSION = "1";
    public static final int ID_BYTES = 8;

    private final CompressionConfig config;
    private final byte[] modelId;
    private final HyperpriorCodec codec;
    private final SafeTensors file;

    private CompressionModel(CompressionConfig config, byte[] modelId, HyperpriorCodec codec, SafeTensors file) {
        this.config = config;
        this.modelId = modelId;
        this.codec = codec;
        this.file = file;
    }

    /** Loads an engine model file (see the class comment). */
    public static CompressionModel load(Path path) throws IOException {
        byte[] id = idOf(path);
        SafeTensors st;
        try {
            st = SafeTensors.open(path);
        } catch (SafeTensorsException e) {
            throw new IllegalArgumentException("not a model file (" + e.getMessage() + ")");
        }
        try {
            Config cfg = readConfig(st, path);
            Map<String, String> meta = st.metadata();
            String arch = cfg.has("architecture") ? cfg.getString("architecture") : meta.get("model");
            if (arch == null) {
                throw new IllegalArgumentException(path.getFileName() + ": model config names no architecture ('architecture' in the config or 'model' in the metadata)");
            }
            CompressionConfig cc = new CompressionConfig(Architecture.fromId(arch), cfg.getInt("N"), cfg.getInt("M"));
            HyperpriorCodec codec = build(st.tensors(), cc, path.getFileName().toString());
            return new CompressionModel(cc, id, codec, st);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /**
     * The config JSON of an engine model file (metadata key {@code config}), after checking its format_version; shared
     * by every model kind stored in that format (compression-only and full SODEC files).
     */
    public static Config readConfig(SafeTensors st, Path path) {
        Map<String, String> meta = st.metadata();
        String cfgJson = meta.get("config");
        if (cfgJson == null) {
            throw new IllegalArgumentException(path.getFileName() + ": not a sodec compression model (no 'config' in the safetensors metadata)");
        }
        Config cfg;
        try {
            cfg = Config.parse(cfgJson, path.getFileName() + " config");
        } catch (JsonException e) {
            throw new IllegalArgumentException(path.getFileName() + ": model config is not valid JSON: " + e.getMessage());
        }
        String version = meta.getOrDefault("format_version", cfg.has("format_version") ? String.valueOf(cfg.asMap().get("format_version")) : null);
        if (version == null) throw new IllegalArgumentException(path.getFileName() + ": model file has no format_version");
        if (!version.equals(FORMAT_VERSION) && !version.equals("1.0")) {
            throw new IllegalArgumentException(path.getFileName() + ": model format_version " + version + " is not supported (this build reads " + FORMAT_VERSION + ")");
        }
        return cfg;
    }

    /** A model from CompressAI-named weights (e.g. a golden case), with a given identity; nothing to close. */
    public static CompressionModel fromWeights(Map<String, Tensor> weights, CompressionConfig config, byte[] modelId,
                                               String source) {
        if (modelId.length != ID_BYTES) throw new IllegalArgumentException("model id must be " + ID_BYTES + " bytes");
        return new CompressionModel(config, modelId.clone(), build(weights, config, source), null);
    }

    private static HyperpriorCodec build(Map<String, Tensor> weights, CompressionConfig cc, String source) {
        StateDict sd = new StateDict(weights, source);
        HyperpriorCodec codec = HyperpriorCodec.load(sd, cc);
        sd.requireAllConsumed();
        return codec;
    }

    /**
     * First {@link #ID_BYTES} bytes of the SHA-256 of the file's bytes (hashed once per process while the file is
     * unchanged: {@link FileDigests}).
     */
    public static byte[] idOf(Path file) throws IOException {
        return Arrays.copyOf(FileDigests.sha256(file), ID_BYTES);
    }

    public CompressionConfig config() { return config; }

    public byte[] modelId() { return modelId.clone(); }

    public String modelIdHex() { return HexFormat.of().formatHex(modelId); }

    public HyperpriorCodec codec() { return codec; }

    @Override
    public void close() {
        codec.close();
        if (file != null) file.close();
    }
}
