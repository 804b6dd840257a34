package dev.sodec.codec.onedc;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsException;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

/**
 * A loaded OneDC model: config ({@link OneDcConfig}), identity, networks ({@link OneDcNetworks}) and the codec
 * ({@link OneDcCodec}).
 *
 * <p>Model-file contract: the engine safetensors file {@code sodec convert --onedc} writes
 * (weights-converter/README.md, "OneDC"): {@code __metadata__} {@code config} with {@code "architecture": "onedc"}
 * and {@code format_version} "1"; tensors {@code codec.*}, {@code unet.*}, {@code vae.*}; every tensor must be used.
 * The identity stored in {@code .sdc} containers is the first 8 bytes of the SHA-256 of the file, as for the other
 * model families. Keeps the file mapped until {@link #close()}.
 */
public final class OneDcModel implements AutoCloseable {
    private final OneDcConfig config;
    private final byte[] modelId;
    private final OneDcCodec codec;
    private final SafeTensors file;

    private OneDcModel(OneDcConfig config, byte[] modelId, OneDcCodec codec, SafeTensors file) {
        this.config = config;
        this.modelId = modelId;
        this.codec = codec;
        this.file = file;
    }

    /** Whether an engine model file holds a OneDC model (its config's architecture). */
    public static boolean isOneDc(Path path) throws IOException {
        try (SafeTensors st = open(path)) {
            return OneDcConfig.isOneDc(CompressionModel.readConfig(st, path));
        }
    }

    public static OneDcModel load(Path path) throws IOException {
        byte[] id = CompressionModel.idOf(path);
        SafeTensors st = open(path);
        try {
            Config cfg = CompressionModel.readConfig(st, path);
            OneDcModel m = fromWeights(st.tensors(), OneDcConfig.from(cfg), id, path.getFileName().toString());
            return new OneDcModel(m.config, m.modelId, m.codec, st);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /** A model from engine-named weights (a file's tensors or a golden case's, renamed), with a given identity. */
    public static OneDcModel fromWeights(Map<String, Tensor> weights, OneDcConfig config, byte[] id, String source) {
        if (id.length != CompressionModel.ID_BYTES) throw new IllegalArgumentException("model id must be " + CompressionModel.ID_BYTES + " bytes");
        StateDict sd = new StateDict(weights, source);
        OneDcNetworks nets = OneDcNetworks.load(sd, config);
        sd.requireAllConsumed();
        return new OneDcModel(config, id.clone(), new OneDcCodec(config.codec(), config.scalingFactor(), nets), null);
    }

    /** A model from networks already built (e.g. with random weights for a benchmark), with a given identity. */
    public static OneDcModel of(OneDcConfig config, OneDcNetworks nets, byte[] id) {
        if (id.length != CompressionModel.ID_BYTES) throw new IllegalArgumentException("model id must be " + CompressionModel.ID_BYTES + " bytes");
        return new OneDcModel(config, id.clone(), new OneDcCodec(config.codec(), config.scalingFactor(), nets), null);
    }

    private static SafeTensors open(Path path) throws IOException {
        try {
            return SafeTensors.open(path);
        } catch (SafeTensorsException e) {
            throw new IllegalArgumentException("not a model file (" + e.getMessage() + ")");
        }
    }

    public OneDcConfig config() { return config; }

    public byte[] modelId() { return modelId.clone(); }

    public String modelIdHex() { return HexFormat.of().formatHex(modelId); }

    public OneDcCodec codec() { return codec; }

    /** Frees the compiled graphs, then unmaps the file they read. */
    @Override
    public void close() {
        codec.close();
        if (file != null) file.close();
    }
}
