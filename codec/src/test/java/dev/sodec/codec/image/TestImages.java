package dev.sodec.codec.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;

/** Images for tests. */
public final class TestImages {
    private TestImages() {}

    /** A 16-bit-per-channel RGB image, as ImageIO decodes 48-bit PNGs. */
    public static BufferedImage rgb16(int w, int h) {
        ColorSpace cs = ColorSpace.getInstance(ColorSpace.CS_sRGB);
        ComponentColorModel cm = new ComponentColorModel(cs, new int[] {16, 16, 16}, false, false, Transparency.OPAQUE,
                DataBuffer.TYPE_USHORT);
        return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }
}
