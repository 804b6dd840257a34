package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Profiles and EXIF written into PNG and JPEG files read back by {@link MetadataReader} and by ImageIO. */
class MetadataWriterTest {
    private static final byte[] EXIF = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};

    private static byte[] bigProfile() {
        // larger than two JPEG segments: the parts must be numbered and joined in order
        byte[] icc = new byte[150_000];
        new Random(3).nextBytes(icc);
        return icc;
    }

    @Test
    void pngAndJpegCarryBothBackToTheReader() throws Exception {
        BufferedImage img = TestImages.pattern(21, 13);
        for (byte[] icc : new byte[][] {ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData(), bigProfile()}) {
            ImageMetadata m = new ImageMetadata(icc, EXIF);
            for (ImageFormat f : new ImageFormat[] {ImageFormat.PNG, ImageFormat.JPEG}) {
                byte[] file = ImageFiles.encode(img, f, m);
                assertEquals(m, MetadataReader.read(file), f + " with a " + icc.length + "-byte profile");
                // still a valid file for ImageIO (JPEG: without the random profile, which no reader could apply)
                BufferedImage back = ImageIO.read(new ByteArrayInputStream(f == ImageFormat.JPEG ? MetadataWriter.jpegWithoutIcc(file) : file));
                assertEquals(21, back.getWidth());
            }
        }
    }

    @Test
    void nothingToWriteLeavesTheBytesAlone() throws Exception {
        byte[] png = ImageFiles.encode(TestImages.pattern(5, 5), ImageFormat.PNG);
        assertSame(png, MetadataWriter.png(png, ImageMetadata.NONE));
        assertEquals(ImageMetadata.NONE, MetadataReader.read(png));
        assertArrayEquals(png, ImageFiles.encode(TestImages.pattern(5, 5), ImageFormat.PNG, ImageMetadata.NONE));
    }

    @Test
    void strippingIccSegmentsKeepsEverythingElse() throws Exception {
        byte[] jpeg = ImageFiles.encode(TestImages.pattern(16, 16), ImageFormat.JPEG, new ImageMetadata(bigProfile(), EXIF));
        byte[] stripped = MetadataWriter.jpegWithoutIcc(jpeg);
        ImageMetadata m = MetadataReader.read(stripped);
        assertNull(m.icc());
        assertArrayEquals(EXIF, m.exif());
        assertArrayEquals(ImageFiles.encode(TestImages.pattern(16, 16), ImageFormat.JPEG, new ImageMetadata(null, EXIF)), stripped);
    }

    @Test
    void anExifBlockBeyondOneSegmentIsRefusedForJpeg() {
        byte[] huge = new byte[70_000];
        huge[0] = 'I';
        assertThrows(IllegalArgumentException.class, () -> MetadataWriter.jpeg(ImageFiles.encode(TestImages.pattern(4, 4), ImageFormat.JPEG),
                new ImageMetadata(null, huge)));
    }

    @Test
    void uprightSetsOnlyTheOrientation() {
        for (int v = 1; v <= 8; v++) {
            byte[] le = EXIF.clone();
            le[18] = (byte) v;
            byte[] be = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) v, 0, 0, 0, 0, 0, 0};
            for (byte[] b : new byte[][] {le, be}) {
                assertEquals(v, Exif.orientation(b));
                byte[] up = Exif.upright(b);
                assertEquals(1, Exif.orientation(up));
                int differing = 0;
                for (int i = 0; i < b.length; i++) if (b[i] != up[i]) differing++;
                assertEquals(v == 1 ? 0 : 1, differing, "one byte of the value changes");
            }
        }
        byte[] noTag = {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0};
        assertArrayEquals(noTag, Exif.upright(noTag));
        assertEquals(1, new ImageMetadata(null, EXIF).upright().orientation().exifValue());
    }

    @Test
    void profileNamesAreRead() {
        assertEquals("sRGB built-in", IccProfiles.description(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData()));
        assertEquals("linear sRGB", IccProfiles.description(ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData()));
        assertNull(IccProfiles.description(new byte[200]));
        byte[] cut = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        assertNull(IccProfiles.description(java.util.Arrays.copyOf(cut, 140)));
    }
}
