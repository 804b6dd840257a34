package dev.sodec.codec.api;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.entropy.CorruptStreamException;
import dev.sodec.codec.image.Padding;
import dev.sodec.codec.image.Pixels;
import dev.sodec.codec.image.RgbImages;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.sodec.GenerativeDecoder;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Java API: load a model once, then {@link #compress} images to container bytes and {@link #decompress} them
 * back. A full SODEC model file ({@link SodecModel}) decodes with its generative decoder (one UNet step); a
 * compression-only file, or {@link #decompress(byte[], boolean)} with {@code fidelity}, gives the g_s
 * reconstruction. Every method may be called from many threads at once; the model is immutable and each
 * call keeps its own state.
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
 * dev.sodec.codec.models.BundledModels#byName} give the models shipped in the jar ({@code low}, {@code medium}),
 * extracted once to {@code $SODEC_CACHE} (default {@code ~/.cache/sodec/models}).
 */
public final class SodecCodec implements AutoCloseable {
    private final CompressionModel model;
    /** The generative decoder of a full SODEC model, or null for a compression-only model. */
    private final GenerativeDecoder generative;
    /** What {@link #close()} releases besides the backend: the loaded model file. */
    private final AutoCloseable owner;
    private final CodecOptions options;
    private final Backend backend;
    private final Parallel parallel;
    /** The model file's name when loaded from a file, for messages; null otherwise. */
    private final String fileName;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The loaded file's guard against changes under a memory mapping. */
    private final ModelFileGuard guard;

    private SodecCodec(CompressionModel model, GenerativeDecoder generative, AutoCloseable owner, CodecOptions options,
                       String fileName, ModelFileGuard guard) {
        this.model = model;
        this.guard = guard;
        this.fileName = fileName;
        this.generative = generative;
        this.owner = owner;
        this.options = options;
        this.backend = Backends.create(options.backend(), options.threads());
        this.parallel = new Parallel(backend.threads());
    }

    public static SodecCodec load(Path modelFile) throws IOException {
        return load(modelFile, CodecOptions.defaults());
    }

    /** Loads a compression-only or a full SODEC model file (told apart by its config). */
    public static SodecCodec load(Path modelFile, CodecOptions options) throws IOException {
        ModelFileGuard guard = ModelFileGuard.before(modelFile);
        if (SodecModel.isFullModel(modelFile)) {
            SodecModel m = SodecModel.load(modelFile);
            try {
                return new SodecCodec(m.compression(), m.decoder(), m, options, fileName(modelFile), guard);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
        CompressionModel m = CompressionModel.load(modelFile);
        try {
            return new SodecCodec(m, null, m, options, fileName(modelFile), guard);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Wraps an already loaded model; closing the codec closes the model. */
    public static SodecCodec of(CompressionModel model, CodecOptions options) {
        return new SodecCodec(model, null, model, options, null, ModelFileGuard.none());
    }

    private static String fileName(Path p) {
        Path n = p.getFileName();
        return n == null ? p.toString() : n.toString();
    }

    /** Wraps an already loaded full SODEC model; closing the codec closes the model. */
    public static SodecCodec of(SodecModel model, CodecOptions options) {
        return new SodecCodec(model.compression(), model.decoder(), model, options, null, ModelFileGuard.none());
    }

    /** Whether {@link #decompress(byte[])} runs a generative decoder (a full SODEC model). */
    public boolean hasGenerativeDecoder() { return generative != null; }

    public CompressionConfig config() { return model.config(); }

    public String modelIdHex() { return model.modelIdHex(); }

    /**
     * The model for messages: its shipped name ({@code 'low'}) when it is a shipped model, else its file name when
     * loaded from a file, with the id and architecture.
     */
    public String modelDescription() {
        byte[] id = model.modelId();
        String arch = model.config().architecture().id;
        String hex = model.modelIdHex();
        return BundledModels.nameOf(id).map(n -> "'" + n + "' (shipped, " + arch + ", id " + hex + ")")
                .orElse(fileName != null ? "'" + fileName + "' (" + arch + ", id " + hex + ")" : arch + " id " + hex);
    }

    public CodecOptions options() { return options; }

    /**
     * Compresses an image of any size and kind: gray, 16-bit, palette and transparent images are coded as their
     * 8-bit RGB ({@link RgbImages}; transparent pixels over {@link CodecOptions#background()}). The image is padded
     * to the model's multiple by repeating its edge pixels and cropped back on decode.
     *
     * @throws dev.sodec.codec.image.ImageFormatException for an image over {@link CodecOptions#maxPixels()}
     * @throws IllegalStateException after {@link #close()}
     */
    public byte[] compress(BufferedImage image) {
        ensureOpen();
        guard.check();
        try {
            return compressImage(image);
        } catch (InternalError e) {
            throw guard.fault(e);
        }
    }

    private byte[] compressImage(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        Pixels.checkSize(w, h, options.maxPixels());
        Tensor x = Pixels.toTensor(RgbImages.toRgb8(image, options.background()));
        CompressionConfig cfg = model.config();
        Padding pad = Padding.centered(w, h, cfg.sizeMultiple());
        HyperpriorCodec.Encoded e = model.codec().compress(backend, parallel, pad.pad(x));
        return new Container(cfg.architecture().code, model.modelId(), w, h, pad.left(), pad.top(), pad.right(),
                pad.bottom(), List.of(e.yString(), e.zString())).encode();
    }

    /** Decodes container bytes made with this model: the generative decoder's image when the model has one. */
    public BufferedImage decompress(byte[] data) {
        return decompress(data, false);
    }

    /**
     * Decodes container bytes made with this model.
     *
     * @param fidelity return the g_s reconstruction even when the model has a generative decoder (faithful but
     *     blurry; much cheaper)
     */
    public BufferedImage decompress(byte[] data, boolean fidelity) {
        ensureOpen();
        guard.check();
        try {
            return decompressImage(data, fidelity);
        } catch (InternalError e) {
            throw guard.fault(e);
        }
    }

    private BufferedImage decompressImage(byte[] data, boolean fidelity) {
        Container c = Container.parse(data);
        checkFitsThisModel(c);
        int mult = model.config().sizeMultiple();
        if ((long) c.paddedWidth() * c.paddedHeight() > options.maxPixels()) {
            throw new ContainerException("image size " + c.width() + "x" + c.height() + " exceeds this decoder's limit of "
                    + options.maxPixels() + " pixels");
        }
        HyperpriorCodec codec = model.codec();
        HyperpriorCodec.Latents l;
        try {
            l = codec.entropyDecode(parallel, c.streams().get(0), c.streams().get(1), c.paddedHeight() / mult,
                    c.paddedWidth() / mult);
        } catch (CorruptStreamException e) {
            throw new ContainerException("corrupt entropy-coded data: " + e.getMessage());
        }
        Tensor image = generative == null || fidelity ? codec.synthesize(backend, l.yHat()) : generative.decode(backend, l.yHat(), l.zHat());
        Padding pad = new Padding(c.padLeft(), c.padTop(), c.padRight(), c.padBottom());
        return Pixels.fromTensor(pad.crop(image));
    }

    /** Reads a container's header without decoding (no model needed). */
    public static Container info(byte[] data) {
        return Container.parse(data);
    }

    private void checkFitsThisModel(Container c) {
        if (!Arrays.equals(c.modelId(), model.modelId())) {
            Architecture a = Architecture.fromCode(c.architectureCode());
            throw new ContainerException("model mismatch: the stream was made with model " + ModelFinder.describe(c.modelId())
                    + (a == null ? "" : " (" + a.id + ")") + ", this codec has model " + modelDescription());
        }
        if (c.architectureCode() != model.config().architecture().code) {
            throw new ContainerException("corrupt header: architecture code " + c.architectureCode() + " for model "
                    + model.modelIdHex() + " (" + model.config().architecture().id + ")");
        }
        if (c.streams().size() != 2) {
            throw new ContainerException("corrupt header: " + c.streams().size() + " streams, a hyperprior model writes 2");
        }
        int mult = model.config().sizeMultiple();
        if (c.paddedWidth() % mult != 0 || c.paddedHeight() % mult != 0 || c.padLeft() + c.padRight() >= mult
                || c.padTop() + c.padBottom() >= mult) {
            throw new ContainerException("corrupt header: padding left " + c.padLeft() + ", top " + c.padTop() + ", right "
                    + c.padRight() + ", bottom " + c.padBottom() + " for a " + c.width() + "x" + c.height() + " image gives "
                    + c.paddedWidth() + "x" + c.paddedHeight() + "; this model codes sides that are multiples of " + mult
                    + " with less than " + mult + " padding per side pair");
        }
    }

    private void ensureOpen() {
        if (closed.get()) throw new IllegalStateException("this SodecCodec is closed");
    }

    /** Releases the backend and the model file; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        model.codec().release(backend);
        if (generative != null) generative.release(backend);
        parallel.close();
        backend.close();
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the model: " + e.getMessage(), e);
        }
    }
}
