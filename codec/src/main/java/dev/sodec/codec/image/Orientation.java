package dev.sodec.codec.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * The EXIF orientation tag (0x0112): how the stored pixels must be turned to be seen upright. Values 1-8 as the
 * TIFF/EXIF specification numbers them; anything else reads as {@link #NORMAL}.
 */
public enum Orientation {
    NORMAL, MIRROR_HORIZONTAL, ROTATE_180, MIRROR_VERTICAL, TRANSPOSE, ROTATE_90_CW, TRANSVERSE, ROTATE_270_CW;

    /** The orientation of EXIF value {@code v} (1..8); {@link #NORMAL} for any other value. */
    public static Orientation ofExif(int v) {
        return v >= 1 && v <= 8 ? values()[v - 1] : NORMAL;
    }

    public int exifValue() {
        return ordinal() + 1;
    }

    /** Whether width and height trade places. */
    public boolean swapsSides() {
        return ordinal() >= TRANSPOSE.ordinal();
    }

    /** The upright image: {@code img} itself for {@link #NORMAL}, else a new 8-bit RGB image. */
    public BufferedImage apply(BufferedImage img) {
        if (this == NORMAL) return img;
        int w = img.getWidth(), h = img.getHeight();
        int ow = swapsSides() ? h : w, oh = swapsSides() ? w : h;
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int ox, oy;
                switch (this) {
                    case MIRROR_HORIZONTAL -> { ox = w - 1 - x; oy = y; }
                    case ROTATE_180 -> { ox = w - 1 - x; oy = h - 1 - y; }
                    case MIRROR_VERTICAL -> { ox = x; oy = h - 1 - y; }
                    case TRANSPOSE -> { ox = y; oy = x; }
                    case ROTATE_90_CW -> { ox = h - 1 - y; oy = x; }
                    case TRANSVERSE -> { ox = h - 1 - y; oy = w - 1 - x; }
                    case ROTATE_270_CW -> { ox = y; oy = w - 1 - x; }
                    default -> throw new AssertionError(this);
                }
                dst[oy * ow + ox] = row[x] & 0xFFFFFF;
            }
        }
        return out;
    }
}
