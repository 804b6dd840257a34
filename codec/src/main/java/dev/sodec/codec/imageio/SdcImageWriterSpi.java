package dev.sodec.codec.imageio;

import java.util.Locale;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.ImageOutputStream;

/** Registers the sodec writer with ImageIO ({@code META-INF/services/javax.imageio.spi.ImageWriterSpi}). */
public final class SdcImageWriterSpi extends ImageWriterSpi {
    public SdcImageWriterSpi() {
        super(SdcFormat.VENDOR, SdcFormat.VERSION, SdcFormat.NAMES, SdcFormat.SUFFIXES, SdcFormat.MIME_TYPES,
                SdcImageWriter.class.getName(), new Class<?>[] {ImageOutputStream.class},
                new String[] {SdcImageReaderSpi.class.getName()}, false, null, null, null, null, false, null, null, null, null);
    }

    /** Any image: gray, 16-bit, palette and alpha are coded as their 8-bit RGB. */
    @Override
    public boolean canEncodeImage(ImageTypeSpecifier type) {
        return true;
    }

    @Override
    public ImageWriter createWriterInstance(Object extension) {
        return new SdcImageWriter(this);
    }

    @Override
    public String getDescription(Locale locale) {
        return "sodec learned image codec (.sdc) writer";
    }
}
