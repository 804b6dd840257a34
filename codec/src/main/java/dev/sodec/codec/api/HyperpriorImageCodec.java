package dev.sodec.codec.api;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.compression.Tiling;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.entropy.CorruptStreamException;
import dev.sodec.codec.image.Padding;
import dev.sodec.codec.image.Pixels;
import dev.sodec.codec.image.RgbImages;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.sodec.GenerativeDecoder;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * CompressAI hyperprior models and SODEC (a hyperprior plus a generative decoder): the image is padded evenly to
 * the model's multiple, coded as two streams [y, z] in an {@code .sdc} container, and decoded by g_s or the
 * generative decoder.
 */
final class HyperpriorImageCodec implements ImageCodec {
    private final CompressionModel model;
    /** The generative decoder of a full SODEC model, or null for a compression-only model. */
    private final GenerativeDecoder generative;
    private final Backend backend;
    private final Parallel parallel;
    private final CodecOptions options;
    private final long maxPixels;
    /** The codec's description of its model, for messages. */
    private final Supplier<String> description;

    HyperpriorImageCodec(CompressionModel model, GenerativeDecoder generative, SodecCodec.Context c) {
        this.model = model;
        this.generative = generative;
        this.backend = c.backend();
        this.parallel = c.parallel();
        this.options = c.options();
        this.maxPixels = c.options().maxPixels();
        this.description = c.description();
    }

    CompressionConfig config() { return model.config(); }

    @Override
    public boolean hasGenerativeDecoder() { return generative != null; }

    @Override
    public byte[] modelId() { return model.modelId(); }

    @Override
    public String architecture() { return model.config().architecture().id; }

    @Override
    public byte[] compress(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        Pixels.checkSize(w, h, maxPixels);
        BufferedImage rgb = RgbImages.toRgb8(image, options.background());
        CompressionConfig cfg = model.config();
        Padding pad = Padding.centered(w, h, cfg.sizeMultiple());
        int ch = h + pad.top() + pad.bottom(), cw = w + pad.left() + pad.right();
        Tiling tiling = options.tiling();
        MemoryEstimate.forEncode(model.codec(), backend, cw, ch, tiling).check("compressing a " + w + "x" + h + " image");
        HyperpriorCodec.Encoded e = tiling == null || tiling.isSingleWindow(ch, cw)
                ? model.codec().compress(backend, parallel, pad.pad(Pixels.toTensor(rgb)))
                : model.codec().compressTiled(backend, parallel, (y0, x0, wh, ww) -> Pixels.window(rgb, pad, y0, x0, wh, ww), ch, cw, tiling);
        return new Container(cfg.architecture().code, model.modelId(), w, h, pad.left(), pad.top(), pad.right(),
                pad.bottom(), List.of(e.yString(), e.zString())).encode();
    }

    @Override
    public BufferedImage decompress(byte[] data, boolean fidelity) {
        PreparedDecode p = prepare(data, fidelity);
        return p.batchKey() == null ? p.alone.get() : finish(List.of(p)).get(0);
    }

    /** What a batchable decode carries from entropy decoding to the network: y_hat and the crop. */
    private record Latent(Tensor yHat, Padding crop) {}

    /** The g_s graph of this codec for one y_hat shape (the batch size is added when batched). */
    private record SynthesisKey(HyperpriorImageCodec codec, String yHatShape) {}

    @Override
    public PreparedDecode prepare(byte[] data, boolean fidelity) {
        Container c = Container.parse(data);
        checkFitsThisModel(c);
        int mult = model.config().sizeMultiple();
        if ((long) c.paddedWidth() * c.paddedHeight() > maxPixels) {
            throw new ContainerException("image size " + c.width() + "x" + c.height() + " exceeds this decoder's limit of "
                    + maxPixels + " pixels");
        }
        HyperpriorCodec codec = model.codec();
        Tiling tiling = generative == null || fidelity ? options.tiling() : null;
        String what = "decoding a " + c.width() + "x" + c.height() + " image";
        if (generative == null || fidelity) MemoryEstimate.forDecode(codec, backend, c.paddedWidth(), c.paddedHeight(), tiling).check(what);
        HyperpriorCodec.Latents l;
        try {
            l = codec.entropyDecode(parallel, c.streams().get(0), c.streams().get(1), c.paddedHeight() / mult,
                    c.paddedWidth() / mult);
        } catch (CorruptStreamException e) {
            throw new ContainerException("corrupt entropy-coded data: " + e.getMessage());
        }
        Padding pad = new Padding(c.padLeft(), c.padTop(), c.padRight(), c.padBottom());
        if (generative != null && !fidelity) {
            return PreparedDecode.alone(this, () -> Pixels.fromTensor(pad.crop(generative.decode(backend, l.yHat(), l.zHat()))));
        }
        if (tiling != null && !tiling.isSingleWindow(c.paddedHeight(), c.paddedWidth())) {
            // Tiled synthesis bounds memory window by window: such images are decoded alone, never stacked into a batch.
            return PreparedDecode.alone(this, () -> {
                BufferedImage out = new BufferedImage(c.width(), c.height(), BufferedImage.TYPE_INT_RGB);
                codec.synthesizeTiled(backend, l.yHat(), tiling, (y0, x0, tile) -> Pixels.put(out, pad, y0, x0, tile));
                return out;
            });
        }
        return PreparedDecode.batchable(this, new SynthesisKey(this, Arrays.toString(l.yHat().shape())), new Latent(l.yHat(), pad));
    }

    /**
     * g_s once over the batch's y_hat stacked along N (one graph per batch size and shape): every image is the
     * same, to the bit, as when decoded alone (BatchedDecodeTest).
     */
    @Override
    public List<BufferedImage> finish(List<PreparedDecode> batch) {
        if (batch.isEmpty()) return List.of();
        Object key = batch.get(0).batchKey();
        if (key == null) return ImageCodec.super.finish(batch);
        Tensor[] yHats = new Tensor[batch.size()];
        for (int i = 0; i < yHats.length; i++) {
            PreparedDecode p = batch.get(i);
            if (p.owner != this || !key.equals(p.batchKey())) {
                throw new IllegalArgumentException("a batch must hold decodes of one codec and one latent shape");
            }
            yHats[i] = ((Latent) p.state).yHat();
        }
        Tensor images = model.codec().synthesize(backend, Batches.stack(yHats));
        List<BufferedImage> out = new ArrayList<>(yHats.length);
        for (int i = 0; i < yHats.length; i++) {
            out.add(Pixels.fromTensor(((Latent) batch.get(i).state).crop().crop(images.slice(0, i, i + 1))));
        }
        return out;
    }

    private void checkFitsThisModel(Container c) {
        if (!Arrays.equals(c.modelId(), model.modelId())) {
            Architecture a = Architecture.fromCode(c.architectureCode());
            throw new ContainerException("model mismatch: the stream was made with model " + ModelFinder.describe(c.modelId())
                    + (a == null ? "" : " (" + a.id + ")") + ", this codec has model " + description.get());
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

    @Override
    public void release() {
        model.codec().release(backend);
        if (generative != null) generative.release(backend);
    }
}
