package dev.sodec.codec.api;

import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.image.ImageMetadata;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cpu.Parallel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Java API: load a model once, then {@link #compress} images to container bytes and {@link #decompress} them
 * back. The model file decides the family: a compression-only CompressAI hyperprior (decoded by g_s), a full SODEC
 * model ({@link SodecModel}: one UNet step; {@link #decompress(byte[], boolean)} with {@code fidelity} gives the g_s
 * reconstruction) or a OneDC model ({@link OneDcModel}: its streams in an {@code .sdc} container; decompress also
 * reads OneDC's own {@code .bin} files). Every method may be called from many threads at once; the model is
 * immutable and each call keeps its own state.
 *
 * <pre>{@code
 * try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow())) {
 *     byte[] sdc = codec.compress(ImageIO.read(in));
 *     BufferedImage back = codec.decompress(sdc);
 * }
 * }</pre>
 *
 * Errors: {@link dev.sodec.codec.image.ImageFormatException} for an image over the size limit, {@link
 * ContainerException} for bytes that are not a valid stream for this model (foreign, other model, truncated,
 * corrupt), {@link ModelFileChangedException} when a large (memory-mapped) model file was truncated or rewritten while
 * loaded (small model files are read into memory at load and are immune), {@link IllegalStateException} for a call
 * after {@link #close()}.
 *
 * <p>Models: {@link dev.sodec.codec.models.BundledModels#defaultModel()} and {@link
 * dev.sodec.codec.models.BundledModels#byName} give the models shipped in the jar (six quality levels from
 * {@code lowest} to {@code highest}; {@code low} is the default), extracted once to {@code $SODEC_CACHE} (default
 * {@code ~/.cache/sodec/models}). To choose by quality level or a byte/bpp budget use {@link QualityCodec}.
 */
public final class SodecCodec implements AutoCloseable {
    /** What a model family needs to build its image codec. */
    record Context(Backend backend, Parallel parallel, CodecOptions options, Supplier<String> description) {}

    private final ImageCodec codec;
    /** The compression config of a hyperprior / SODEC model, null for OneDC. */
    private final CompressionConfig compressionConfig;
    /** What {@link #close()} releases besides the backend: the loaded model. */
    private final AutoCloseable owner;
    private final CodecOptions options;
    private final Backend backend;
    private final Parallel parallel;
    /** The model file's name when loaded from a file, for messages; null otherwise. */
    private final String fileName;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The loaded file's guard against changes under a memory mapping. */
    private final ModelFileGuard guard;

    private SodecCodec(AutoCloseable owner, CodecOptions options, CompressionConfig compressionConfig, String fileName,
                       ModelFileGuard guard, Function<Context, ImageCodec> family) {
        this.owner = owner;
        this.options = options;
        this.compressionConfig = compressionConfig;
        this.fileName = fileName;
        this.guard = guard;
        this.backend = Backends.create(options.backend(), options.threads());
        this.parallel = new Parallel(backend.threads());
        this.codec = family.apply(new Context(backend, parallel, options, this::modelDescription));
    }

    public static SodecCodec load(Path modelFile) throws IOException {
        return load(modelFile, CodecOptions.defaults());
    }

    /** Loads a compression-only, a full SODEC or a OneDC model file (told apart by its config). */
    public static SodecCodec load(Path modelFile, CodecOptions options) throws IOException {
        ModelFileGuard guard = ModelFileGuard.before(modelFile);
        String name = fileName(modelFile);
        if (OneDcModel.isOneDc(modelFile)) {
            OneDcModel m = OneDcModel.load(modelFile);
            return closingOnError(m, () -> new SodecCodec(m, options, null, name, guard, oneDc(m)));
        }
        if (SodecModel.isFullModel(modelFile)) {
            SodecModel m = SodecModel.load(modelFile);
            return closingOnError(m, () -> new SodecCodec(m, options, m.compression().config(), name, guard, sodec(m)));
        }
        CompressionModel m = CompressionModel.load(modelFile);
        return closingOnError(m, () -> new SodecCodec(m, options, m.config(), name, guard, hyperprior(m)));
    }

    private static SodecCodec closingOnError(AutoCloseable model, Supplier<SodecCodec> make) {
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

    private static Function<Context, ImageCodec> hyperprior(CompressionModel m) {
        return c -> new HyperpriorImageCodec(m, null, c);
    }

    private static Function<Context, ImageCodec> sodec(SodecModel m) {
        return c -> new HyperpriorImageCodec(m.compression(), m.decoder(), c);
    }

    private static Function<Context, ImageCodec> oneDc(OneDcModel m) {
        return c -> new OneDcImageCodec(m, c);
    }

    /** Wraps an already loaded model; closing the codec closes the model. */
    public static SodecCodec of(CompressionModel model, CodecOptions options) {
        return new SodecCodec(model, options, model.config(), null, ModelFileGuard.none(), hyperprior(model));
    }

    /** Wraps an already loaded full SODEC model; closing the codec closes the model. */
    public static SodecCodec of(SodecModel model, CodecOptions options) {
        return new SodecCodec(model, options, model.compression().config(), null, ModelFileGuard.none(), sodec(model));
    }

    /** Wraps an already loaded OneDC model; closing the codec closes the model. */
    public static SodecCodec of(OneDcModel model, CodecOptions options) {
        return new SodecCodec(model, options, null, null, ModelFileGuard.none(), oneDc(model));
    }

    private static String fileName(Path p) {
        Path n = p.getFileName();
        return n == null ? p.toString() : n.toString();
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

    /**
     * The model for messages: its shipped name ({@code 'low'}) when it is a shipped model, else its file name when
     * loaded from a file, with the id and architecture.
     */
    public String modelDescription() {
        byte[] id = codec.modelId();
        String arch = codec.architecture();
        String hex = modelIdHex();
        return BundledModels.nameOf(id).map(n -> "'" + n + "' (shipped, " + arch + ", id " + hex + ")")
                .orElse(fileName != null ? "'" + fileName + "' (" + arch + ", id " + hex + ")" : arch + " id " + hex);
    }

    public CodecOptions options() { return options; }

    /**
     * Compresses an image of any size and kind: gray, 16-bit, palette and transparent images are coded as their
     * 8-bit RGB ({@link dev.sodec.codec.image.RgbImages}; transparent pixels over {@link CodecOptions#background()}).
     * The image is padded to the model's multiple by repeating its edge pixels and cropped back on decode.
     *
     * @throws dev.sodec.codec.image.ImageFormatException for an image over {@link CodecOptions#maxPixels()}
     * @throws IllegalStateException after {@link #close()}
     */
    public byte[] compress(BufferedImage image) {
        ensureOpen();
        guard.check();
        try {
            return codec.compress(image);
        } catch (InternalError e) {
            throw guard.fault(e);
        }
    }

    /**
     * Compresses an image ({@link #compress(BufferedImage)}) and carries its file's ICC profile and EXIF block in the
     * container's chunks (format version 2; none given, the bytes are {@link #compress(BufferedImage)}'s). The
     * pixels must be in the profile's colour space ({@link dev.sodec.codec.image.ImageFiles#read(String, long, int,
     * boolean)} with {@code keepIcc} reads them so). The image is coded upright, so the carried EXIF orientation is
     * set to 1.
     */
    public byte[] compress(BufferedImage image, ImageMetadata metadata) {
        byte[] data = compress(image);
        if (metadata.isEmpty()) return data;
        List<Container.Chunk> chunks = new ArrayList<>();
        ImageMetadata upright = metadata.upright();
        if (upright.icc() != null) chunks.add(new Container.Chunk(Container.ICC, upright.icc()));
        if (upright.exif() != null) chunks.add(new Container.Chunk(Container.EXIF, upright.exif()));
        return Container.parse(data).withChunks(chunks).encode();
    }

    /**
     * The ICC profile and EXIF block a container carries ({@link ImageMetadata#NONE} for none, and for OneDC's own
     * {@code .bin} layout, which has no place for them).
     *
     * @throws ContainerException for a container that does not parse
     */
    public static ImageMetadata metadata(byte[] data) {
        if (!Container.hasMagic(data)) return ImageMetadata.NONE;
        Container c = Container.parse(data);
        return new ImageMetadata(c.chunk(Container.ICC), c.chunk(Container.EXIF));
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
        ensureOpen();
        guard.check();
        try {
            return codec.decompress(data, fidelity);
        } catch (InternalError e) {
            throw guard.fault(e);
        }
    }

    /**
     * The first half of {@link #decompress(byte[], boolean)}: parses and checks {@code data} and entropy-decodes it
     * on this thread; {@link #decompressBatch} runs the network. Throws what decompress throws for bad input.
     */
    public PreparedDecode prepareDecompress(byte[] data, boolean fidelity) {
        ensureOpen();
        guard.check();
        try {
            return codec.prepare(data, fidelity);
        } catch (InternalError e) {
            throw guard.fault(e);
        }
    }

    /**
     * The second half: one network call for decodes prepared by this codec with one {@link PreparedDecode#batchKey()}
     * (or one decode whose key is null); the images in the batch's order, each equal to its {@link #decompress}.
     */
    public List<BufferedImage> decompressBatch(List<PreparedDecode> batch) {
        ensureOpen();
        guard.check();
        for (PreparedDecode p : batch) {
            if (p.owner != codec) throw new IllegalArgumentException("a decode prepared by another codec");
        }
        try {
            return codec.finish(batch);
        } catch (InternalError e) {
            throw guard.fault(e);
        }
    }

    /** Reads a container's header without decoding (no model needed). */
    public static Container info(byte[] data) {
        return Container.parse(data);
    }

    private void ensureOpen() {
        if (closed.get()) throw new IllegalStateException("this SodecCodec is closed");
    }

    /** Releases the backend and the model file; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
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
