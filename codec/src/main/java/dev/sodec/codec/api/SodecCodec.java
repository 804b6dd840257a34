package dev.sodec.codec.api;

import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cpu.Parallel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.BiFunction;

/**
 * The Java API: load a model once, then {@link #compress} images to container bytes and {@link #decompress} them
 * back. The model file decides the family: a compression-only CompressAI hyperprior (decoded by g_s), a full SODEC
 * model ({@link SodecModel}: one UNet step; {@link #decompress(byte[], boolean)} with {@code fidelity} gives the g_s
 * reconstruction) or a OneDC model ({@link OneDcModel}: its streams in an {@code .sdc} container; decompress also
 * reads OneDC's own {@code .bin} files). Every method may be called from many threads at once; the model is
 * immutable and each call keeps its own state.
 *
 * <pre>{@code
 * try (SodecCodec codec = SodecCodec.load(Path.of("model.safetensors"))) {
 *     byte[] sdc = codec.compress(ImageIO.read(in));
 *     BufferedImage back = codec.decompress(sdc);
 * }
 * }</pre>
 *
 * Errors: {@link dev.sodec.codec.image.ImageFormatException} for images we cannot code (grayscale, 16-bit,
 * transparent, too large), {@link ContainerException} for bytes that are not a valid stream for this model
 * (foreign, other model, truncated, corrupt).
 */
public final class SodecCodec implements AutoCloseable {
    private final ImageCodec codec;
    /** The compression config of a hyperprior / SODEC model, null for OneDC. */
    private final CompressionConfig compressionConfig;
    /** What {@link #close()} releases besides the backend: the loaded model. */
    private final AutoCloseable owner;
    private final CodecOptions options;
    private final Backend backend;
    private final Parallel parallel;

    private SodecCodec(AutoCloseable owner, CodecOptions options, CompressionConfig compressionConfig,
                       BiFunction<Backend, Parallel, ImageCodec> family) {
        this.owner = owner;
        this.options = options;
        this.compressionConfig = compressionConfig;
        this.backend = Backends.create(options.backend(), options.threads());
        this.parallel = new Parallel(backend.threads());
        this.codec = family.apply(backend, parallel);
    }

    public static SodecCodec load(Path modelFile) throws IOException {
        return load(modelFile, CodecOptions.defaults());
    }

    /** Loads a compression-only, a full SODEC or a OneDC model file (told apart by its config). */
    public static SodecCodec load(Path modelFile, CodecOptions options) throws IOException {
        if (OneDcModel.isOneDc(modelFile)) {
            OneDcModel m = OneDcModel.load(modelFile);
            return closingOnError(m, () -> of(m, options));
        }
        if (SodecModel.isFullModel(modelFile)) {
            SodecModel m = SodecModel.load(modelFile);
            return closingOnError(m, () -> of(m, options));
        }
        CompressionModel m = CompressionModel.load(modelFile);
        return closingOnError(m, () -> of(m, options));
    }

    private static SodecCodec closingOnError(AutoCloseable model, java.util.function.Supplier<SodecCodec> make) {
        try {
            return make.get();
        } catch (RuntimeException e) {
            try {
                model.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Wraps an already loaded model; closing the codec closes the model. */
    public static SodecCodec of(CompressionModel model, CodecOptions options) {
        return new SodecCodec(model, options, model.config(), (b, p) -> new HyperpriorImageCodec(model, null, b, p, options.maxPixels()));
    }

    /** Wraps an already loaded full SODEC model; closing the codec closes the model. */
    public static SodecCodec of(SodecModel model, CodecOptions options) {
        return new SodecCodec(model, options, model.compression().config(),
                (b, p) -> new HyperpriorImageCodec(model.compression(), model.decoder(), b, p, options.maxPixels()));
    }

    /** Wraps an already loaded OneDC model; closing the codec closes the model. */
    public static SodecCodec of(OneDcModel model, CodecOptions options) {
        return new SodecCodec(model, options, null, (b, p) -> new OneDcImageCodec(model, b, p, options.maxPixels()));
    }

    /** Whether {@link #decompress(byte[])} runs a generative decoder (a full SODEC or a OneDC model). */
    public boolean hasGenerativeDecoder() { return codec.hasGenerativeDecoder(); }

    /**
     * The CompressAI config of a hyperprior or SODEC model.
     *
     * @throws IllegalStateException for a OneDC model, which has none ({@link #architecture()} names it)
     */
    public CompressionConfig config() {
        if (compressionConfig == null) throw new IllegalStateException("a " + codec.architecture() + " model has no CompressAI config");
        return compressionConfig;
    }

    /** The model family's architecture id ("mbt2018-mean", "bmshj2018-hyperprior", "onedc", ...). */
    public String architecture() { return codec.architecture(); }

    public String modelIdHex() { return HexFormat.of().formatHex(codec.modelId()); }

    public CodecOptions options() { return options; }

    /** Compresses an 8-bit RGB image of any size (padded to the model's multiple, cropped back on decode). */
    public byte[] compress(BufferedImage image) {
        return codec.compress(image);
    }

    /** Decodes bytes made with this model: the generative decoder's image when the model has one. */
    public BufferedImage decompress(byte[] data) {
        return decompress(data, false);
    }

    /**
     * Decodes bytes made with this model: an {@code .sdc} container, or for a OneDC model also OneDC's own layout.
     *
     * @param fidelity return the g_s reconstruction even when a SODEC model has a generative decoder (faithful but
     *     blurry; much cheaper); OneDC has none and refuses it
     */
    public BufferedImage decompress(byte[] data, boolean fidelity) {
        return codec.decompress(data, fidelity);
    }

    /** Reads a container's header without decoding (no model needed). */
    public static Container info(byte[] data) {
        return Container.parse(data);
    }

    @Override
    public void close() {
        codec.release();
        parallel.close();
        backend.close();
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the model: " + e.getMessage(), e);
        }
    }
}
