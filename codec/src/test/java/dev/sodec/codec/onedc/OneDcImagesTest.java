package dev.sodec.codec.onedc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** OneDC's image conventions against torch's pad modes and the reference's value maps, on hand-checked values. */
class OneDcImagesTest {
    @Test
    void replicateAndReflectPadOnTheRightAndBottom() {
        // a 1 x 2 x 3 image padded to 64 x 64: torch F.pad(x, (0, 61, 0, 62), mode)
        Tensor x = Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        OneDcGeometry g = new OneDcGeometry(2, 3);
        Tensor rep = OneDcImages.pad(x, g, false);
        assertEquals(64, rep.dim(2));
        assertEquals(64, rep.dim(3));
        float[] r = rep.toFloatArray();
        assertArrayEquals(new float[] {1, 2, 3, 3, 3}, java.util.Arrays.copyOfRange(r, 0, 5));
        assertArrayEquals(new float[] {4, 5, 6, 6}, java.util.Arrays.copyOfRange(r, 64, 68));
        assertArrayEquals(new float[] {4, 5, 6, 6}, java.util.Arrays.copyOfRange(r, 63 * 64, 63 * 64 + 4));
        // reflection needs the pad below the side: a 60 x 61 image (pads 4 and 3) mirrors without repeating the edge
        float[] v = new float[61 * 60];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Tensor big = OneDcImages.pad(Tensor.fromFloats(v, 1, 1, 61, 60), new OneDcGeometry(61, 60), true);
        float[] b = big.toFloatArray();
        assertEquals(58, b[60], 0f);                  // row 0, column 60 = column 58
        assertEquals(55, b[63], 0f);                  // column 63 = column 55
        assertEquals(59 * 60, b[61 * 64], 0f);        // row 61 = row 59
        assertEquals(57 * 60 + 55, b[63 * 64 + 63], 0f);
        // a side too short to mirror falls back to replicate
        assertArrayEquals(r, OneDcImages.pad(x, g, true).toFloatArray());
    }

    @Test
    void pixelMapsAreTheReferences() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x00FF80);
        img.setRGB(1, 0, 0x010203);
        float[] x = OneDcImages.toModelInput(img).toFloatArray();
        assertEquals(0f / 255f * 2f - 1f, x[0], 0f);
        assertEquals(1f / 255f * 2f - 1f, x[1], 0f);
        assertEquals(255f / 255f * 2f - 1f, x[2], 0f);
        assertEquals(128f / 255f * 2f - 1f, x[4], 0f);
        // clamp to [-1, 1], * 0.5 + 0.5, then x * 255 + 0.5 truncated (save_image)
        BufferedImage out = OneDcImages.toImage(Tensor.fromFloats(new float[] {-3f, 2f, 0f, 0.003f, -0.5f, 1f}, 1, 3, 1, 2));
        assertEquals(0x00 << 16 | 0x80 << 8 | 0x40, out.getRGB(0, 0) & 0xFFFFFF);
        int p = out.getRGB(1, 0);
        assertEquals(255, (p >> 16) & 0xFF);
        assertEquals((int) ((0.003f * 0.5f + 0.5f) * 255f + 0.5f), (p >> 8) & 0xFF);
        assertEquals(255, p & 0xFF);
    }
}
