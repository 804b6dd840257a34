package dev.sodec.codec.imageio;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/** Registers the sodec reader with ImageIO ({@code META-INF/services/javax.imageio.spi.ImageReaderSpi}). */
public final class SdcImageReaderSpi extends ImageReaderSpi {
    public SdcImageReaderSpi() {
        super(SdcFormat.VENDOR, SdcFormat.VERSION, SdcFormat.NAMES, SdcFormat.SUFFIXES, SdcFormat.MIME_TYPES,
                SdcImageReader.class.getName(), new Class<?>[] {ImageInputStream.class},
                new String[] {SdcImageWriterSpi.class.getName()}, false, null, null, null, null, false, null, null, null, null);
    }

    @Override
    public boolean canDecodeInput(Object source) throws IOException {
        if (!(source instanceof ImageInputStream in)) return false;
        byte[] head = new byte[SdcFormat.MAGIC.length];
        in.mark();
        try {
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) return false;
                n += r;
            }
            return Arrays.equals(head, SdcFormat.MAGIC);
        } finally {
            in.reset();
        }
    }

    @Override
    public ImageReader createReaderInstance(Object extension) {
        return new SdcImageReader(this);
    }

    @Override
    public String getDescription(Locale locale) {
        return "sodec learned image codec (.sdc) reader";
    }
}
