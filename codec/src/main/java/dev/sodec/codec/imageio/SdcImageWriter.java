package dev.sodec.codec.imageio;

import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFormatException;
import dev.sodec.codec.image.RgbImages;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes a {@code .sdc} file through ImageIO: {@code ImageIO.write(img, "sdc", file)}. The model is chosen by an
 * {@link SdcImageWriteParam} (a model, a compression type, or a quality on the shipped ladder); without one,
 * {@code $SODEC_MODEL} or the shipped default.
 */
public final class SdcImageWriter extends ImageWriter {
    SdcImageWriter(ImageWriterSpi spi) {
        super(spi);
    }

    @Override
    public ImageWriteParam getDefaultWriteParam() {
        return new SdcImageWriteParam(getLocale());
    }

    @Override
    public IIOMetadata getDefaultStreamMetadata(ImageWriteParam param) {
        return null;
    }

    @Override
    public IIOMetadata getDefaultImageMetadata(ImageTypeSpecifier imageType, ImageWriteParam param) {
        return null;
    }

    @Override
    public IIOMetadata convertStreamMetadata(IIOMetadata inData, ImageWriteParam param) {
        return null;
    }

    @Override
    public IIOMetadata convertImageMetadata(IIOMetadata inData, ImageTypeSpecifier imageType, ImageWriteParam param) {
        return null;
    }

    @Override
    public void write(IIOMetadata streamMetadata, IIOImage image, ImageWriteParam param) throws IOException {
        if (!(output instanceof ImageOutputStream out)) throw new IllegalStateException("no output set");
        if (image.hasRaster()) throw new UnsupportedOperationException("the sodec writer codes images, not rasters");
        SdcImageWriteParam p = param instanceof SdcImageWriteParam s ? s : null;
        String choice = p == null ? null : p.resolveModel();
        SodecCodec codec = PluginCodecs.forModel(modelFile(choice));
        int background = p == null ? RgbImages.WHITE : p.getBackground();
        processImageStarted(0);
        byte[] data;
        try {
            data = codec.compress(RgbImages.toRgb8(toBuffered(image.getRenderedImage()), background));
        } catch (ImageFormatException e) {
            throw new IIOException(e.getMessage(), e);
        } catch (LinkageError e) {
            throw PluginCodecs.engineUnavailable(e);
        }
        out.write(data);
        out.flush();
        processImageComplete();
    }

    private static Path modelFile(String choice) throws IOException {
        String want = choice;
        if (want == null) {
            String env = System.getenv("SODEC_MODEL");
            want = env != null && !env.isEmpty() ? env : null;
        }
        Optional<Path> p = want == null ? BundledModels.defaultModel() : ModelFinder.byNameOrFile(want);
        if (p.isEmpty()) {
            throw new IIOException(want == null ? "this build of sodec ships no model: name one with SdcImageWriteParam.setModel"
                    : "no model '" + want + "': not a file and not a shipped model (" + BundledModels.names() + ")");
        }
        return p.get();
    }

    private static BufferedImage toBuffered(RenderedImage r) {
        if (r instanceof BufferedImage b) return b;
        BufferedImage b = new BufferedImage(r.getWidth(), r.getHeight(), BufferedImage.TYPE_INT_ARGB);
        b.createGraphics().drawRenderedImage(r, new java.awt.geom.AffineTransform());
        return b;
    }
}
