package dev.sodec.codec.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * Any decoded image to the 8-bit sRGB the codec codes: gray is replicated to R = G = B, deeper samples are scaled
 * to 8 bits (rounded), alpha is composited over a background colour, palettes are expanded, and other colour spaces
 * (an ICC-tagged JPEG, CMYK TIFF) go through Java 2D's conversion to sRGB.
 *
 * <p>Gray and RGB samples are read from the raster as stored (gamma-encoded, as in the file): going through
 * {@link BufferedImage#getRGB} would treat Java's gray colour space as linear and brighten every gray image.
 */
public final class RgbImages {
    private RgbImages() {}

    /** Opaque white, the default background for transparent pixels. */
    public static final int WHITE = 0xFFFFFF;

    /** {@code img} as {@link BufferedImage#TYPE_INT_RGB}; the same object when it already is one. */
    public static BufferedImage toRgb8(BufferedImage img, int background) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) return img;
        int w = img.getWidth(), h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        if (readsSamplesDirectly(img.getColorModel())) {
            ComponentColorModel cm = (ComponentColorModel) img.getColorModel();
            Raster r = img.getRaster();
            int bands = r.getNumBands(), colors = cm.getNumColorComponents();
            double[] scale = new double[bands];
            for (int b = 0; b < bands; b++) scale[b] = 255.0 / ((1L << cm.getComponentSize(b)) - 1);
            int[] s = new int[w * bands];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, s);
                for (int x = 0; x < w; x++) {
                    int o = x * bands;
                    double red = s[o] * scale[0];
                    double green = colors == 1 ? red : s[o + 1] * scale[1];
                    double blue = colors == 1 ? red : s[o + 2] * scale[2];
                    double alpha = cm.hasAlpha() ? s[o + colors] * scale[colors] / 255.0 : 1.0;
                    row[x] = composite(red, green, blue, alpha, background);
                }
                out.setRGB(0, y, w, 1, row, 0, w);
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                row[x] = composite(p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF, (p >>> 24) / 255.0, background);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    /** Gray or sRGB samples in integer storage, not premultiplied: their values are the file's. */
    private static boolean readsSamplesDirectly(ColorModel cm) {
        if (!(cm instanceof ComponentColorModel) || cm.isAlphaPremultiplied()) return false;
        int t = cm.getTransferType();
        if (t != DataBuffer.TYPE_BYTE && t != DataBuffer.TYPE_USHORT) return false;
        ColorSpace cs = cm.getColorSpace();
        int colors = cm.getNumColorComponents();
        return (colors == 1 && cs.getType() == ColorSpace.TYPE_GRAY) || (colors == 3 && cs.isCS_sRGB());
    }

    /** Channels in [0, 255] over the background by alpha in [0, 1] (in the encoded values, as browsers do). */
    static int composite(double r, double g, double b, double alpha, int background) {
        if (alpha >= 1.0) return level(r) << 16 | level(g) << 8 | level(b);
        double bgR = background >> 16 & 0xFF, bgG = background >> 8 & 0xFF, bgB = background & 0xFF;
        return level(r * alpha + bgR * (1 - alpha)) << 16 | level(g * alpha + bgG * (1 - alpha)) << 8
                | level(b * alpha + bgB * (1 - alpha));
    }

    private static int level(double v) {
        long l = Math.round(v);
        return (int) Math.max(0, Math.min(255, l));
    }

    /**
     * Parses a background colour: {@code white}, {@code black}, {@code RRGGBB} or {@code #RRGGBB}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static int parseColor(String s) {
        String v = s.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("white")) return WHITE;
        if (v.equals("black")) return 0;
        if (v.startsWith("#")) v = v.substring(1);
        if (v.length() == 6 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) return Integer.parseInt(v, 16);
        throw new IllegalArgumentException("colour '" + s + "' is not white, black or RRGGBB hex");
    }
}
