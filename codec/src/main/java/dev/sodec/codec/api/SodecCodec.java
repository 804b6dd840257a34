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

/**
 * The Java API: load a model once, then {@link #compress} images to container bytes and {@link #decompress} them
 * back. A full SODEC model file ({@link SodecModel}) decodes with its generative decoder (one UNet step); a
 * compression-only file, or {@link #decompress(byte[], boolean)} with {@code fidelity}, gives the g_s
 * reconstruction. Every method may be called from many threads at once; the model is immutable and each
 * call keeps its own state.
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
 * (foreign, other model, truncated, corrupt), {@link ModelFileChangedException} when a large (memory-mapped) model
 * file was truncated or rewritten while loaded. Small model files are read into memory at load and are immune.
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
    /** The loaded file's guard against changes under a memory mapping. */
    private final ModelFileGuard guard;

    private SodecCodec(CompressionModel model, GenerativeDecoder generative, AutoCloseable owner, CodecOptions options,
                       ModelFileGuard guard) {
        this.model = model;
        this.generative = generative;
        this.owner = owner;
        this.options = options;
        this.guard = guard;
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
                return new SodecCodec(m.compression(), m.decoder(), m, options, guard);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
        CompressionModel m = CompressionModel.load(modelFile);
        try {
            return new SodecCodec(m, null, m, options, guard);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Wraps an already loaded model; closing the codec closes the model. */
    public static SodecCodec of(CompressionModel model, CodecOptions options) {
        return new SodecCodec(model, null, model, options, ModelFileGuard.none());
    }

    /** Wraps an already loaded full SODEC model; closing the codec closes the model. */
    public static SodecCodec of(SodecModel model, CodecOptions options) {
        return new SodecCodec(model.compression(), model.decoder(), model, options, ModelFileGuard.none());
    }

    /** Whether {@link #decompress(byte[])} runs a generative decoder (a full SODEC model). */
    public boolean hasGenerativeDecoder() { return generative != null; }

    public CompressionConfig config() { return model.config(); }

    public String modelIdHex() { return model.modelIdHex(); }

    public CodecOptions options() { return options; }

    /** Compresses an 8-bit RGB image of any size (padded to the model's multiple, cropped back on decode). */
    public byte[] compress(BufferedImage image) {
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
        Tensor x = Pixels.toTensor(image);
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
        HyperpriorCodec.Decoded d;
        try {
            d = model.codec().decompress(backend, parallel, c.streams().get(0), c.streams().get(1),
                    c.paddedHeight() / mult, c.paddedWidth() / mult);
        } catch (CorruptStreamException e) {
            throw new ContainerException("corrupt entropy-coded data: " + e.getMessage());
        }
        Tensor image = generative == null || fidelity ? d.xHat() : generative.decode(backend, d.xHat(), d.zHat(), d.yHat()).xHat();
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
            throw new ContainerException("model mismatch: the stream was made with model " + c.modelIdHex()
                    + (a == null ? "" : " (" + a.id + ")") + ", this is model " + model.modelIdHex() + " ("
                    + model.config().architecture().id + ")");
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
            throw new ContainerException("corrupt header: padding " + c.padLeft() + "," + c.padTop() + "," + c.padRight()
                    + "," + c.padBottom() + " does not bring " + c.width() + "x" + c.height() + " to a multiple of " + mult);
        }
    }

    @Override
    public void close() {
        parallel.close();
        backend.close();
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the model: " + e.getMessage(), e);
        }
    }
}
