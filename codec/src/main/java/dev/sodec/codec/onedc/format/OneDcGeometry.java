package dev.sodec.codec.onedc.format;

/**
 * Sizes OneDC derives from the original image size (entropy/utils.py get_padding_size, decode_i): the image is
 * padded on the right and bottom only, to multiples of 64; z has one position per 64x64 block, y one per 16x16.
 *
 * @param height original height in pixels
 * @param width original width in pixels
 */
public record OneDcGeometry(int height, int width) {
    /** Downsampling from the image to z (and the padding multiple). */
    public static final int Z_DOWNSAMPLE = 64;
    /** Downsampling from the image to y. */
    public static final int Y_DOWNSAMPLE = 16;
    /** Largest side accepted (as our container stores it: two bytes). */
    public static final int MAX_SIDE = 65535;

    public OneDcGeometry {
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " outside 1.." + MAX_SIDE + " per side");
        }
    }

    public int paddedHeight() { return roundUp(height); }

    public int paddedWidth() { return roundUp(width); }

    /** Columns added on the right. */
    public int padRight() { return paddedWidth() - width; }

    /** Rows added at the bottom. */
    public int padBottom() { return paddedHeight() - height; }

    /** The reference's pad tuple (left, right, top, bottom) = (0, padRight, 0, padBottom). */
    public int[] padTuple() { return new int[] {0, padRight(), 0, padBottom()}; }

    public int zHeight() { return paddedHeight() / Z_DOWNSAMPLE; }

    public int zWidth() { return paddedWidth() / Z_DOWNSAMPLE; }

    /** z positions, i.e. FSQ indices in the z stream. */
    public int zCount() { return zHeight() * zWidth(); }

    public int yHeight() { return paddedHeight() / Y_DOWNSAMPLE; }

    public int yWidth() { return paddedWidth() / Y_DOWNSAMPLE; }

    private static int roundUp(int v) {
        return (v + Z_DOWNSAMPLE - 1) / Z_DOWNSAMPLE * Z_DOWNSAMPLE;
    }
}
