package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** EXIF and ICC found in JPEG and PNG files, and damaged blocks read as none. */
class MetadataReaderTest {
    @Test
    void exifOrientationInBothByteOrders() {
        for (int o = 1; o <= 8; o++) {
            assertEquals(o, Exif.orientation(TestImages.exifWithOrientation(o, true)));
            assertEquals(o, Exif.orientation(TestImages.exifWithOrientation(o, false)));
        }
    }

    @Test
    void damagedExifReadsAsNoRotation() {
        byte[] good = TestImages.exifWithOrientation(6, true);
        assertEquals(1, Exif.orientation(null));
        assertEquals(1, Exif.orientation(new byte[3]));
        for (int len = 0; len < good.length - 4; len++) assertEquals(1, Exif.orientation(Arrays.copyOf(good, len)), "cut at " + len);
        byte[] badOffset = good.clone();
        badOffset[4] = (byte) 0xF0; // IFD0 beyond the end
        assertEquals(1, Exif.orientation(badOffset));
        byte[] badValue = good.clone();
        badValue[18] = 9;
        assertEquals(1, Exif.orientation(badValue));
    }

    @Test
    void jpegExifAndMultiSegmentIcc() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.pattern(8, 8));
        byte[] exif = TestImages.exifWithOrientation(8, false);
        byte[] icc = new byte[300];
        for (int i = 0; i < icc.length; i++) icc[i] = (byte) (i * 7);
        byte[] file = TestImages.jpegWithSegments(jpeg,
                TestImages.segment(0xE1, TestImages.ascii("Exif\0\0"), exif),
                // ICC in two segments, stored out of order
                TestImages.segment(0xE2, TestImages.ascii("ICC_PROFILE\0"), new byte[] {2, 2}, Arrays.copyOfRange(icc, 100, 300)),
                TestImages.segment(0xE2, TestImages.ascii("ICC_PROFILE\0"), new byte[] {1, 2}, Arrays.copyOfRange(icc, 0, 100)));
        ImageMetadata m = MetadataReader.read(file);
        assertArrayEquals(exif, m.exif());
        assertArrayEquals(icc, m.icc());
        assertEquals(Orientation.ROTATE_270_CW, m.orientation());
    }

    @Test
    void pngExifAndCompressedIcc() throws Exception {
        byte[] png = TestImages.png(TestImages.pattern(8, 8));
        byte[] exif = TestImages.exifWithOrientation(3, true);
        byte[] icc = new byte[500];
        for (int i = 0; i < icc.length; i++) icc[i] = (byte) (i % 13);
        ByteArrayOutputStream iccp = new ByteArrayOutputStream();
        iccp.writeBytes(TestImages.ascii("test profile\0\0"));
        Deflater d = new Deflater();
        d.setInput(icc);
        d.finish();
        byte[] buf = new byte[1024];
        while (!d.finished()) iccp.write(buf, 0, d.deflate(buf));
        d.end();
        byte[] file = TestImages.pngWithChunks(png, TestImages.chunk("iCCP", iccp.toByteArray()), TestImages.chunk("eXIf", exif));
        ImageMetadata m = MetadataReader.read(file);
        assertArrayEquals(exif, m.exif());
        assertArrayEquals(icc, m.icc());
        assertEquals(Orientation.ROTATE_180, m.orientation());
    }

    @Test
    void filesWithoutMetadataOrDamagedOnesHaveNone() throws Exception {
        assertEquals(ImageMetadata.NONE, MetadataReader.read(TestImages.png(TestImages.pattern(4, 4))));
        assertEquals(ImageMetadata.NONE, MetadataReader.read(new byte[] {1, 2, 3}));
        byte[] jpeg = TestImages.jpeg(TestImages.pattern(8, 8));
        byte[] oneOfTwoIcc = TestImages.jpegWithSegments(jpeg,
                TestImages.segment(0xE2, TestImages.ascii("ICC_PROFILE\0"), new byte[] {1, 2}, new byte[10]));
        assertNull(MetadataReader.read(oneOfTwoIcc).icc());
        for (int len = 0; len < 40; len++) MetadataReader.read(Arrays.copyOf(oneOfTwoIcc, len)); // never throws
    }
}
