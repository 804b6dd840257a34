package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PnmTest {
    static byte[] bytes(String header, int... data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        for (int v : data) b.write(v);
        return b.toByteArray();
    }

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void binaryPpmAndPgm() {
        BufferedImage p6 = Pnm.read(bytes("P6\n# a comment\n2 1\n255\n", 1, 2, 3, 250, 251, 252), 100);
        assertEquals(2, p6.getWidth());
        assertEquals(0x010203, rgb(p6, 0, 0));
        assertEquals(0xFAFBFC, rgb(p6, 1, 0));
        BufferedImage p5 = Pnm.read(bytes("P5 1 2 255\n", 7, 200), 100);
        assertEquals(2, p5.getHeight());
        assertEquals(0x070707, rgb(p5, 0, 0));
        assertEquals(0xC8C8C8, rgb(p5, 0, 1));
    }

    @Test
    void sixteenBitAndOddMaxvalScaleTo8Bits() {
        BufferedImage p6 = Pnm.read(bytes("P6 1 1 65535\n", 0xFF, 0xFF, 0x80, 0x80, 0x00, 0x00), 100);
        assertEquals(0xFF8000, rgb(p6, 0, 0));
        BufferedImage p2 = Pnm.read("P2\n3 1\n# max 4\n4\n0 2 4\n".getBytes(StandardCharsets.US_ASCII), 100);
        assertEquals(0x000000, rgb(p2, 0, 0));
        assertEquals(0x808080, rgb(p2, 1, 0)); // 2/4 of 255 = 127.5, rounded up
        assertEquals(0xFFFFFF, rgb(p2, 2, 0));
        BufferedImage p3 = Pnm.read("P3 1 1 255 10 20 30".getBytes(StandardCharsets.US_ASCII), 100);
        assertEquals(0x0A141E, rgb(p3, 0, 0));
    }

    @Test
    void badFilesFailWithTheReason() {
        assertTrue(assertThrows(ImageFormatException.class, () -> Pnm.read(bytes("P6 2 2 255\n", 1, 2, 3), 100))
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(ImageFormatException.class, () -> Pnm.read(bytes("P6 1 1 0\n", 1, 2, 3), 100))
                .getMessage().contains("maxval"));
        assertTrue(assertThrows(ImageFormatException.class, () -> Pnm.read("P2 1 1 10 11".getBytes(StandardCharsets.US_ASCII), 100))
                .getMessage().contains("exceeds maxval"));
        assertTrue(assertThrows(ImageFormatException.class, () -> Pnm.read("P6 x".getBytes(StandardCharsets.US_ASCII), 100))
                .getMessage().contains("width"));
        // the size is checked before the pixels are allocated
        assertTrue(assertThrows(ImageFormatException.class, () -> Pnm.read(bytes("P6 60000 60000 255\n"), 1L << 26))
                .getMessage().contains("limit"));
    }

    @Test
    void writtenPpmReadsBack() {
        BufferedImage img = TestImages.pattern(5, 3);
        BufferedImage back = Pnm.read(Pnm.writePpm(img), 100);
        for (int y = 0; y < 3; y++) for (int x = 0; x < 5; x++) assertEquals(rgb(img, x, y), rgb(back, x, y));
    }
}
