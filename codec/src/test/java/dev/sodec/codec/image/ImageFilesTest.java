package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading any kind of image file as 8-bit upright RGB; writing by format. */
class ImageFilesTest {
    @TempDir
    Path tmp;

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void exifOrientationIsAppliedToJpegAndPng() throws Exception {
        BufferedImage wide = TestImages.pattern(40, 16); // stored 40 wide, 16 high
        byte[] png = TestImages.pngWithChunks(TestImages.png(wide), TestImages.chunk("eXIf", TestImages.exifWithOrientation(6, false)));
        SourceImage s = ImageFiles.decode(png, "p.png", 1 << 20, RgbImages.WHITE);
        assertEquals(16, s.image().getWidth());
        assertEquals(40, s.image().getHeight());
        assertEquals(rgb(wide, 0, 15), rgb(s.image(), 0, 0)); // the bottom-left stored pixel is now top-left
        assertEquals(Orientation.ROTATE_90_CW, s.metadata().orientation());

        byte[] jpeg = TestImages.jpegWithSegments(TestImages.jpeg(wide),
                TestImages.segment(0xE1, TestImages.ascii("Exif\0\0"), TestImages.exifWithOrientation(8, true)));
        SourceImage j = ImageFiles.decode(jpeg, "j.jpg", 1 << 20, RgbImages.WHITE);
        assertEquals(16, j.image().getWidth());
        assertEquals(40, j.image().getHeight());
        assertEquals("jpeg", j.format());
    }

    @Test
    void grayPaletteAlphaSixteenBitAndPnmFilesAllRead() throws Exception {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 1, 0, 77);
        assertEquals(0x4D4D4D, rgb(ImageFiles.decode(TestImages.png(gray), "g", 100, RgbImages.WHITE).image(), 1, 1));

        BufferedImage g16 = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 65535);
        assertEquals(0xFFFFFF, rgb(ImageFiles.decode(TestImages.png(g16), "g16", 100, RgbImages.WHITE).image(), 0, 0));

        BufferedImage rgb16 = TestImages.rgb16(2, 2);
        rgb16.getRaster().setPixel(1, 0, new int[] {0, 65535, 257 * 200});
        assertEquals(0x00FFC8, rgb(ImageFiles.decode(TestImages.png(rgb16), "rgb16", 100, RgbImages.WHITE).image(), 1, 0));

        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00000000);
        argb.setRGB(1, 0, 0xFF102030);
        BufferedImage onBlack = ImageFiles.decode(TestImages.png(argb), "a", 100, 0).image();
        assertEquals(0x000000, rgb(onBlack, 0, 0));
        assertEquals(0x102030, rgb(onBlack, 1, 0));
        assertEquals(0xFFFFFF, rgb(ImageFiles.decode(TestImages.png(argb), "a", 100, RgbImages.WHITE).image(), 0, 0));

        BufferedImage pal = TestImages.paletteWithTransparency(4, 2);
        assertEquals(0x00FF00, rgb(ImageFiles.decode(TestImages.png(pal), "p", 100, RgbImages.WHITE).image(), 1, 0));

        byte[] ppm = Pnm.writePpm(TestImages.pattern(3, 3));
        SourceImage p = ImageFiles.decode(ppm, "x.ppm", 100, RgbImages.WHITE);
        assertEquals("ppm", p.format());
        assertEquals(rgb(TestImages.pattern(3, 3), 2, 2), rgb(p.image(), 2, 2));
    }

    @Test
    void errorsNameTheInput() throws Exception {
        String m = assertThrows(ImageFormatException.class, () -> ImageFiles.decode("hello".getBytes(), "notes.txt", 100, 0)).getMessage();
        assertTrue(m.startsWith("notes.txt: not a PNG, JPEG"), m);
        m = assertThrows(ImageFormatException.class, () -> ImageFiles.decode(TestImages.png(TestImages.pattern(20, 20)), "big.png", 100, 0)).getMessage();
        assertTrue(m.startsWith("big.png: image size 20x20") && m.contains("limit of 100"), m);
        m = assertThrows(java.io.IOException.class, () -> ImageFiles.read(tmp.toString(), 100, 0)).getMessage();
        assertTrue(m.contains("is a folder"), m);
    }

    @Test
    void writesEachFormatByName() throws Exception {
        BufferedImage img = TestImages.pattern(9, 7);
        for (String name : new String[] {"a.png", "b.JPG", "c.jpeg", "d.ppm"}) {
            Path f = tmp.resolve(name);
            ImageFiles.write(img, f.toString(), ImageFormat.fromFileName(name));
            byte[] b = Files.readAllBytes(f);
            switch (ImageFormat.fromFileName(name)) {
                case PNG -> assertEquals((byte) 0x89, b[0]);
                case JPEG -> assertTrue((b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8, name);
                case PPM -> assertTrue(b[0] == 'P' && b[1] == '6', name);
            }
            assertEquals(9, ImageFiles.read(f, 1000).getWidth());
        }
        String m = assertThrows(IllegalArgumentException.class, () -> ImageFormat.fromFileName("x.bmp")).getMessage();
        assertTrue(m.contains("'.bmp'") && m.contains(".png, .jpg or .ppm"), m);
    }
}
