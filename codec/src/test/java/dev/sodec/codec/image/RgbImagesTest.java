package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class RgbImagesTest {
    @Test
    void rgb8IsPassedThrough() {
        BufferedImage img = TestImages.pattern(5, 4);
        assertSame(img, RgbImages.toRgb8(img, RgbImages.WHITE));
    }

    @Test
    void grayKeepsItsStoredLevels() {
        // Java's gray colour space is linear: getRGB would turn level 100 into about 169. The file's level is kept.
        BufferedImage g = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(0, 0, 0, 0);
        g.getRaster().setSample(1, 0, 0, 100);
        g.getRaster().setSample(2, 0, 0, 255);
        BufferedImage rgb = RgbImages.toRgb8(g, RgbImages.WHITE);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        assertEquals(0x000000, rgb.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x646464, rgb.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, rgb.getRGB(2, 0) & 0xFFFFFF);
    }

    @Test
    void sixteenBitSamplesRoundToEightBits() {
        BufferedImage g16 = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 65535);
        g16.getRaster().setSample(1, 0, 0, 257 * 128 + 129); // 128.502 levels: rounds up
        g16.getRaster().setSample(2, 0, 0, 257 * 3 + 100); // 3.39 levels: rounds down
        BufferedImage out = RgbImages.toRgb8(g16, RgbImages.WHITE);
        assertEquals(0xFFFFFF, out.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x818181, out.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x030303, out.getRGB(2, 0) & 0xFFFFFF);

        BufferedImage rgb16 = TestImages.rgb16(1, 1);
        rgb16.getRaster().setPixel(0, 0, new int[] {65535, 257 * 10, 0});
        assertEquals(0xFF0A00, RgbImages.toRgb8(rgb16, RgbImages.WHITE).getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void alphaIsCompositedOverTheBackground() {
        BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00123456); // transparent: the background
        argb.setRGB(1, 0, 0xFF123456); // opaque: itself
        argb.setRGB(2, 0, 0x80FF0000); // half red
        BufferedImage onWhite = RgbImages.toRgb8(argb, RgbImages.WHITE);
        assertEquals(0xFFFFFF, onWhite.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x123456, onWhite.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0xFF7F7F, onWhite.getRGB(2, 0) & 0xFFFFFF); // 255*a + 255*(1-a) = 255; 0*a + 255*(1-128/255) = 127
        BufferedImage onBlue = RgbImages.toRgb8(argb, 0x0000FF);
        assertEquals(0x0000FF, onBlue.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x80007F, onBlue.getRGB(2, 0) & 0xFFFFFF);

        BufferedImage abgr = new BufferedImage(1, 1, BufferedImage.TYPE_4BYTE_ABGR); // the raster path
        abgr.getRaster().setPixel(0, 0, new int[] {255, 0, 0, 128});
        assertEquals(0xFF7F7F, RgbImages.toRgb8(abgr, RgbImages.WHITE).getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void palettesExpandWithTheirTransparency() {
        BufferedImage p = TestImages.paletteWithTransparency(4, 1);
        BufferedImage out = RgbImages.toRgb8(p, 0x102030);
        assertEquals(0xFF0000, out.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, out.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x0000FF, out.getRGB(2, 0) & 0xFFFFFF);
        assertEquals(0x102030, out.getRGB(3, 0) & 0xFFFFFF);
    }

    @Test
    void colorsParse() {
        assertEquals(0xFFFFFF, RgbImages.parseColor("white"));
        assertEquals(0, RgbImages.parseColor("BLACK"));
        assertEquals(0x12AB3C, RgbImages.parseColor("#12ab3c"));
        assertEquals(0x12AB3C, RgbImages.parseColor("12AB3C"));
        assertThrows(IllegalArgumentException.class, () -> RgbImages.parseColor("blue"));
        assertThrows(IllegalArgumentException.class, () -> RgbImages.parseColor("12345"));
    }
}
