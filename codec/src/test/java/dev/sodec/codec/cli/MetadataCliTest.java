package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.container.Container;
import dev.sodec.codec.image.Exif;
import dev.sodec.codec.image.ImageMetadata;
import dev.sodec.codec.image.MetadataReader;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ICC profile and EXIF block through compress, info and decompress with the shipped model: a JPEG and a PNG whose
 * files carry both (segments and chunks built by hand here, read back by {@link MetadataReader}).
 */
class MetadataCliTest {
    @TempDir
    static Path tmp;
    /** A profile of another RGB space than sRGB: the JPEG reader would convert from it. */
    static final byte[] ICC = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
    /** Big-endian TIFF with IFD0 holding orientation 6 (rotate 90 clockwise) and one more tag (ImageDescription). */
    static final byte[] EXIF = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,
            0x01, 0x0E, 0, 2, 0, 0, 0, 4, 'c', 'u', 'p', 0,
            0, 0, 0, 0};
    /** Device values of the flat test colour. */
    static final int COLOUR = 0x406080;
    static Path jpeg, png;

    @BeforeAll
    static void files() throws Exception {
        BufferedImage img = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 96; x++) img.setRGB(x, y, COLOUR);
        ByteArrayOutputStream j = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", j);
        jpeg = tmp.resolve("in.jpg");
        Files.write(jpeg, withJpegSegments(j.toByteArray()));
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        ImageIO.write(img, "png", p);
        png = tmp.resolve("in.png");
        Files.write(png, withPngChunks(p.toByteArray()));
    }

    /** APP1 Exif and one APP2 ICC_PROFILE segment after SOI + APP0. */
    static byte[] withJpegSegments(byte[] j) throws Exception {
        int app0End = 4 + ((j[4] & 255) << 8 | (j[5] & 255));
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(j, 0, app0End);
        segment(f, 0xE1, concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), EXIF));
        segment(f, 0xE2, concat("ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1), new byte[] {1, 1}, ICC));
        f.write(j, app0End, j.length - app0End);
        return f.toByteArray();
    }

    static void segment(ByteArrayOutputStream f, int marker, byte[] body) {
        f.write(0xFF);
        f.write(marker);
        f.write((body.length + 2) >> 8);
        f.write(body.length + 2);
        f.writeBytes(body);
    }

    /** iCCP and eXIf after IHDR. */
    static byte[] withPngChunks(byte[] p) throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(ICC);
        }
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(p, 0, 33);
        chunk(f, "iCCP", concat("lin\0\0".getBytes(StandardCharsets.ISO_8859_1), z.toByteArray()));
        chunk(f, "eXIf", EXIF);
        f.write(p, 33, p.length - 33);
        return f.toByteArray();
    }

    static void chunk(ByteArrayOutputStream f, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        int32(f, data.length);
        f.writeBytes(t);
        f.writeBytes(data);
        int32(f, (int) crc.getValue());
    }

    static void int32(ByteArrayOutputStream f, int v) {
        f.write(v >>> 24);
        f.write(v >>> 16);
        f.write(v >>> 8);
        f.write(v);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] b : parts) o.writeBytes(b);
        return o.toByteArray();
    }

    @Test
    void theTestFilesCarryWhatTheyShould() throws Exception {
        for (Path in : new Path[] {jpeg, png}) {
            ImageMetadata m = MetadataReader.read(Files.readAllBytes(in));
            assertArrayEquals(ICC, m.icc(), in.toString());
            assertArrayEquals(EXIF, m.exif(), in.toString());
        }
    }

    @Test
    void profileAndExifRoundTripIntoPngAndJpeg() throws Exception {
        for (Path in : new Path[] {jpeg, png}) {
            String name = in.getFileName().toString();
            Path sdc = tmp.resolve(name + ".sdc");
            CompressionCliTest.Result c = CompressionCliTest.run("compress", in.toString(), "-o", sdc.toString(), "--model", "low");
            assertEquals(0, c.code(), c.err());
            assertEquals(2, Files.readAllBytes(sdc)[4], "a container with chunks is version 2");
            CompressionCliTest.Result info = CompressionCliTest.run("info", sdc.toString());
            assertTrue(info.out().contains("version 2"), info.out());
            assertTrue(info.out().contains("metadata:     ICC profile " + ICC.length + " bytes (linear sRGB)"), info.out());
            assertTrue(info.out().contains("EXIF " + EXIF.length + " bytes"), info.out());
            byte[] upright = Exif.upright(EXIF);
            assertEquals(1, Exif.orientation(upright));
            for (String ext : new String[] {"png", "jpg"}) {
                Path out = tmp.resolve(name + ".out." + ext);
                CompressionCliTest.Result d = CompressionCliTest.run("decompress", sdc.toString(), "-o", out.toString());
                assertEquals(0, d.code(), d.err());
                byte[] file = Files.readAllBytes(out);
                ImageMetadata m = MetadataReader.read(file);
                assertArrayEquals(ICC, m.icc(), name + " -> " + ext);
                // the same block with the orientation set to 1: the image was stored upright (64x96 now)
                assertArrayEquals(upright, m.exif(), name + " -> " + ext);
                BufferedImage back = ImageIO.read(new ByteArrayInputStream(MetadataWriterStrip.noIcc(file)));
                assertEquals(64, back.getWidth());
                assertEquals(96, back.getHeight());
                // the pixels are the file's own values in the carried profile's space, not converted to sRGB
                assertClose(COLOUR, back.getRGB(30, 40), 6, name + " -> " + ext);
            }
        }
    }

    @Test
    void stripMetadataDropsBothAndConvertsTheJpegToSrgb() throws Exception {
        Path sdc = tmp.resolve("stripped.sdc"), out = tmp.resolve("stripped.png");
        CompressionCliTest.Result c = CompressionCliTest.run("compress", jpeg.toString(), "-o", sdc.toString(), "--model", "low",
                "--strip-metadata");
        assertEquals(0, c.code(), c.err());
        assertEquals(1, Files.readAllBytes(sdc)[4], "no chunks: version 1, as older builds wrote");
        assertTrue(CompressionCliTest.run("info", sdc.toString()).out().contains("metadata:     none"));
        assertEquals(0, CompressionCliTest.run("decompress", sdc.toString(), "-o", out.toString()).code());
        ImageMetadata m = MetadataReader.read(Files.readAllBytes(out));
        assertNull(m.icc());
        assertNull(m.exif());
        // ImageIO's own conversion of the colour from linear RGB to sRGB
        BufferedImage ref = ImageIO.read(jpeg.toFile());
        int got = ImageIO.read(out.toFile()).getRGB(10, 10);
        assertClose(ref.getRGB(10, 10), got, 12, "stripped");
        assertTrue(Math.abs((got >> 16 & 255) - (COLOUR >> 16)) > 40, "converted, not the device values: " + Integer.toHexString(got));
    }

    @Test
    void aFileWithoutChunksDecodesAsBefore() throws Exception {
        Path in = tmp.resolve("plain.png"), sdc = tmp.resolve("plain.sdc"), out = tmp.resolve("plain.out.png");
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(img, "png", in.toFile());
        assertEquals(0, CompressionCliTest.run("compress", in.toString(), "-o", sdc.toString(), "--model", "low").code());
        byte[] data = Files.readAllBytes(sdc);
        assertEquals(Container.VERSION, data[4]);
        assertTrue(Container.parse(data).chunks().isEmpty());
        assertEquals(0, CompressionCliTest.run("decompress", sdc.toString(), "-o", out.toString()).code());
        assertEquals(ImageMetadata.NONE, MetadataReader.read(Files.readAllBytes(out)));
    }

    static void assertClose(int want, int got, int tolerance, String what) {
        for (int s = 0; s < 24; s += 8) {
            int a = want >> s & 255, b = got >> s & 255;
            assertTrue(Math.abs(a - b) <= tolerance, what + ": " + Integer.toHexString(got) + " for " + Integer.toHexString(want));
        }
    }

    /** Reading a file back through ImageIO without the profile (its JPEG reader would apply it). */
    static final class MetadataWriterStrip {
        static byte[] noIcc(byte[] file) {
            return dev.sodec.codec.image.MetadataWriter.jpegWithoutIcc(file);
        }
    }
}
