package dev.sodec.codec.imageio;

import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.image.ImageFormatException;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOException;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a {@code .sdc} file through ImageIO: {@code ImageIO.read(new File("x.sdc"))}. The model is the one the file
 * names by id, found like the CLI finds it: a {@code *.safetensors} in {@code $SODEC_MODEL_DIR} (default {@code
 * ./models}) or a model shipped in the jar. Width and height come from the header without decoding. A source region
 * and subsampling in the {@link ImageReadParam} are applied to the decoded image.
 */
public final class SdcImageReader extends ImageReader {
    private byte[] data;
    private Container header;

    SdcImageReader(ImageReaderSpi spi) {
        super(spi);
    }

    @Override
    public void setInput(Object input, boolean seekForwardOnly, boolean ignoreMetadata) {
        super.setInput(input, seekForwardOnly, ignoreMetadata);
        data = null;
        header = null;
    }

    private Container header() throws IOException {
        if (header != null) return header;
        if (!(input instanceof ImageInputStream in)) throw new IllegalStateException("no input set");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) > 0; ) {
            buf.write(chunk, 0, n);
            if (buf.size() > SdcFormat.MAX_BYTES) throw new IIOException("more than " + SdcFormat.MAX_BYTES + " bytes: not a sodec file");
        }
        data = buf.toByteArray();
        try {
            header = Container.parse(data);
        } catch (ContainerException e) {
            throw new IIOException(e.getMessage(), e);
        }
        return header;
    }

    private void checkIndex(int imageIndex) {
        if (imageIndex != 0) throw new IndexOutOfBoundsException("a sodec file holds one image, index " + imageIndex);
    }

    @Override
    public int getNumImages(boolean allowSearch) {
        return 1;
    }

    @Override
    public int getWidth(int imageIndex) throws IOException {
        checkIndex(imageIndex);
        return header().width();
    }

    @Override
    public int getHeight(int imageIndex) throws IOException {
        checkIndex(imageIndex);
        return header().height();
    }

    @Override
    public Iterator<ImageTypeSpecifier> getImageTypes(int imageIndex) {
        checkIndex(imageIndex);
        return List.of(ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_INT_RGB)).iterator();
    }

    @Override
    public IIOMetadata getStreamMetadata() {
        return null;
    }

    @Override
    public IIOMetadata getImageMetadata(int imageIndex) {
        checkIndex(imageIndex);
        return null;
    }

    @Override
    public BufferedImage read(int imageIndex, ImageReadParam param) throws IOException {
        checkIndex(imageIndex);
        Container c = header();
        processImageStarted(imageIndex);
        Optional<Path> model = ModelFinder.byId(c.modelId());
        if (model.isEmpty()) {
            throw new IIOException("no model for this sodec file (model id " + HexFormat.of().formatHex(c.modelId())
                    + "): not a shipped model (" + BundledModels.names() + ") nor a *.safetensors file in "
                    + ModelFinder.modelDir() + " (set SODEC_MODEL_DIR)");
        }
        SodecCodec codec = PluginCodecs.forModel(model.get());
        BufferedImage img;
        try {
            img = codec.decompress(data);
        } catch (ContainerException | ImageFormatException e) {
            throw new IIOException(e.getMessage(), e);
        } catch (LinkageError e) {
            throw PluginCodecs.engineUnavailable(e);
        }
        img = applyParam(img, param);
        processImageComplete();
        return img;
    }

    /** Source region, then subsampling, as {@link ImageReadParam} describes them. */
    static BufferedImage applyParam(BufferedImage img, ImageReadParam param) {
        if (param == null) return img;
        Rectangle r = new Rectangle(0, 0, img.getWidth(), img.getHeight());
        if (param.getSourceRegion() != null) r = r.intersection(param.getSourceRegion());
        if (r.isEmpty()) throw new IllegalArgumentException("the source region " + param.getSourceRegion() + " lies outside the image");
        int sx = param.getSourceXSubsampling(), sy = param.getSourceYSubsampling();
        int ox = param.getSubsamplingXOffset(), oy = param.getSubsamplingYOffset();
        int w = (r.width - ox + sx - 1) / sx, h = (r.height - oy + sy - 1) / sy;
        if (w <= 0 || h <= 0) throw new IllegalArgumentException("subsampling leaves no pixels");
        if (sx == 1 && sy == 1 && ox == 0 && oy == 0 && r.width == img.getWidth() && r.height == img.getHeight()) return img;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) out.setRGB(x, y, img.getRGB(r.x + ox + x * sx, r.y + oy + y * sy));
        }
        return out;
    }
}
