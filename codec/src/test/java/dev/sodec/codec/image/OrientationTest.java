package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/**
 * Each EXIF orientation on a 3x2 image with pixels a b c / d e f (stored), against the upright image drawn by hand
 * from the EXIF specification's descriptions.
 */
class OrientationTest {
    static final int A = 1, B = 2, C = 3, D = 4, E = 5, F = 6;

    static BufferedImage stored() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] v = {A, B, C, D, E, F};
        for (int i = 0; i < 6; i++) img.setRGB(i % 3, i / 3, v[i]);
        return img;
    }

    static void assertPixels(int[][] rows, BufferedImage img) {
        assertEquals(rows[0].length, img.getWidth());
        assertEquals(rows.length, img.getHeight());
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < rows[0].length; x++) assertEquals(rows[y][x], img.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
        }
    }

    @Test
    void everyOrientationStandsTheImageUpright() {
        BufferedImage s = stored();
        assertSame(s, Orientation.NORMAL.apply(s));
        assertPixels(new int[][] {{C, B, A}, {F, E, D}}, Orientation.ofExif(2).apply(s));
        assertPixels(new int[][] {{F, E, D}, {C, B, A}}, Orientation.ofExif(3).apply(s));
        assertPixels(new int[][] {{D, E, F}, {A, B, C}}, Orientation.ofExif(4).apply(s));
        assertPixels(new int[][] {{A, D}, {B, E}, {C, F}}, Orientation.ofExif(5).apply(s));
        assertPixels(new int[][] {{D, A}, {E, B}, {F, C}}, Orientation.ofExif(6).apply(s)); // 90 degrees clockwise
        assertPixels(new int[][] {{F, C}, {E, B}, {D, A}}, Orientation.ofExif(7).apply(s));
        assertPixels(new int[][] {{C, F}, {B, E}, {A, D}}, Orientation.ofExif(8).apply(s)); // 90 counter-clockwise
    }

    @Test
    void unknownValuesAreNormal() {
        assertEquals(Orientation.NORMAL, Orientation.ofExif(0));
        assertEquals(Orientation.NORMAL, Orientation.ofExif(9));
        assertEquals(6, Orientation.ROTATE_90_CW.exifValue());
    }
}
