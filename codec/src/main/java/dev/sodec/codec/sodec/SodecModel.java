package dev.sodec.codec.sodec;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsException;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A full SODEC model: the compression model (encoder, entropy models, g_s) plus the generative decoder.
 *
 * <p>Model-file contract: one engine safetensors file (see {@link CompressionModel} for the format_version and
 * identity rules) whose {@code __metadata__["config"]} is a {@link SodecConfig} JSON (it has a {@code "unet"}
 * object, which is what tells a full model from a compression-only one). Tensors are named like the
 * {@code pipeline.sodec} golden weights: {@code compression.*} (CompressAI MeanScaleHyperprior state dict incl. the
 * CDF buffers), {@code hs.0, hs.2, ts.0, ts.2, ts.4}, {@code vit.*} (transformers 5.x CLIPVisionModel names),
 * {@code proj.linear, proj.norm}, {@code unet.*} (diffusers), {@code vae.*} (AutoencoderKL decode path). Every tensor
 * must be used.
 */
public final class SodecModel implements AutoCloseable {
    static final String COMPRESSION_PREFIX = "compression.";

    private final SodecConfig config;
    private final CompressionModel compression;
    private final GenerativeDecoder decoder;
    private final SafeTensors file;

    private SodecModel(SodecConfig config, CompressionModel compression, GenerativeDecoder decoder, SafeTensors file) {
        this.config = config;
        this.compression = compression;
        this.decoder = decoder;
        this.file = file;
    }

    /** Whether an engine model file holds a full SODEC model (else it is compression-only). */
    public static boolean isFullModel(Path path) throws IOException {
        try (SafeTensors st = open(path)) {
            return CompressionModel.readConfig(st, path).has(SodecConfig.GENERATIVE_MARKER);
        }
    }

    public static SodecModel load(Path path) throws IOException {
        byte[] id = CompressionModel.idOf(path);
        SafeTensors st = open(path);
        try {
            Config cfg = CompressionModel.readConfig(st, path);
            if (!cfg.has(SodecConfig.GENERATIVE_MARKER)) {
                throw new IllegalArgumentException(path.getFileName() + ": a compression-only model, not a full SODEC model (no 'unet' config)");
            }
            SodecModel m = fromWeights(st.tensors(), SodecConfig.from(cfg), id, path.getFileName().toString());
            return new SodecModel(m.config, m.compression, m.decoder, st);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /** A model from SODEC-named weights (a golden case or a file's tensors), with a given identity. */
    public static SodecModel fromWeights(Map<String, Tensor> weights, SodecConfig config, byte[] id, String source) {
        Map<String, Tensor> comp = new LinkedHashMap<>(), rest = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            if (e.getKey().startsWith(COMPRESSION_PREFIX)) comp.put(e.getKey().substring(COMPRESSION_PREFIX.length()), e.getValue());
            else rest.put(e.getKey(), e.getValue());
        }
        CompressionModel cm = CompressionModel.fromWeights(comp, config.compression(), id, source + " (compression.*)");
        StateDict sd = new StateDict(rest, source);
        GenerativeDecoder dec = GenerativeDecoder.load(sd, config, cm.codec().networks());
        sd.requireAllConsumed();
        return new SodecModel(config, cm, dec, null);
    }

    private static SafeTensors open(Path path) throws IOException {
        try {
            return SafeTensors.open(path);
        } catch (SafeTensorsException e) {
            throw new IllegalArgumentException("not a model file (" + e.getMessage() + ")");
        }
    }

    public SodecConfig config() { return config; }

    /** The encoder, entropy models and g_s; owned by this model (closing it is not needed). */
    public CompressionModel compression() { return compression; }

    public GenerativeDecoder decoder() { return decoder; }

    /** Frees the compiled graphs, then unmaps the file they read. */
    @Override
    public void close() {
        decoder.close();
        compression.close();
        if (file != null) file.close();
    }
}
