package dev.sodec.codec.api;

import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.entropy.CorruptStreamException;
import dev.sodec.codec.image.Pixels;
import dev.sodec.codec.image.RgbImages;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.onedc.OneDcCodec;
import dev.sodec.codec.onedc.OneDcConfig;
import dev.sodec.codec.onedc.OneDcImages;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.format.OneDcSdc;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * OneDC models: compress writes OneDC's streams in an {@code .sdc} container (architecture code 3, or 4 for the
 * z-only variant: codec/CONTAINER.md); decompress reads those and OneDC's own {@code .bin} layout (which names no
 * model, so any OneDC model of the right sizes decodes it). The encoder's VAE latent is the mean of the latent
 * distribution (the reference samples it with a seeded RNG), so our bytes for an image differ from the reference
 * encoder's, while every stream of either decodes on the other.
 */
final class OneDcImageCodec implements ImageCodec {
    private final OneDcModel model;
    private final Backend backend;
    private final Parallel parallel;
    private final CodecOptions options;
    private final long maxPixels;
    /** The codec's description of its model, for messages. */
    private final Supplier<String> description;

    OneDcImageCodec(OneDcModel model, SodecCodec.Context c) {
        this.model = model;
        this.backend = c.backend();
        this.parallel = c.parallel();
        this.options = c.options();
        this.maxPixels = c.options().maxPixels();
        this.description = c.description();
    }

    @Override
    public boolean hasGenerativeDecoder() { return true; }

    @Override
    public byte[] modelId() { return model.modelId(); }

    @Override
    public String architecture() { return model.config().zOnly() ? OneDcConfig.ARCHITECTURE + " (z only)" : OneDcConfig.ARCHITECTURE; }

    @Override
    public byte[] compress(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        Pixels.checkSize(w, h, maxPixels);
        OneDcGeometry g = new OneDcGeometry(h, w);
        Pixels.checkSize(g.paddedWidth(), g.paddedHeight(), maxPixels); // the networks run on the padded image
        boolean zOnly = model.config().zOnly();
        Tensor x = OneDcImages.pad(OneDcImages.toModelInput(RgbImages.toRgb8(image, options.background())), g, zOnly);
        OneDcCodec.Encoded e = model.codec().encode(backend, parallel, x, null, g, zOnly);
        return OneDcSdc.toSdc(e.file(), model.modelId()).encode();
    }

    @Override
    public BufferedImage decompress(byte[] data, boolean fidelity) {
        if (fidelity) throw new IllegalArgumentException("a OneDC model has no fidelity decoder: its only decoder is the generative one");
        OneDcSdc.Parsed p = OneDcSdc.read(data);
        if (p.modelId() != null && !Arrays.equals(p.modelId(), model.modelId())) {
            throw new ContainerException("model mismatch: the stream was made with model " + ModelFinder.describe(p.modelId())
                    + ", this codec has model " + description.get());
        }
        OneDcFile file = p.file();
        OneDcGeometry g = file.geometry();
        if ((long) g.paddedWidth() * g.paddedHeight() > maxPixels) {
            throw new ContainerException("image size " + g.width() + "x" + g.height() + " exceeds this decoder's limit of " + maxPixels + " pixels");
        }
        OneDcCodec codec = model.codec();
        OneDcCodec.Latents l;
        try {
            l = codec.entropyDecode(parallel, file);
        } catch (CorruptStreamException e) {
            throw new ContainerException("corrupt entropy-coded data: " + e.getMessage());
        }
        return OneDcImages.toImage(codec.decode(backend, l.yHat(), l.zHat(), g));
    }

    @Override
    public void release() {
        model.codec().release(backend);
    }
}
