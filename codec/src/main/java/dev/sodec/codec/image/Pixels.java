package dev.sodec.codec.image;

import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;

/** Between 8-bit RGB images and (1, 3, H, W) float tensors in [0, 1]. */
public final class Pixels {
    private Pixels() {}

    /** A size the codec accepts: positive, at most 65535 per side and {@code maxPixels} in all. */
    public static void checkSize(long width, long height, long maxPixels) {
        if (width <= 0 || height <= 0) throw new ImageFormatException("image size " + width + "x" + height + " is empty");
        if (width > 65535 || height > 65535) {
            throw new ImageTooLargeException("image size " + width + "x" + height + " is too large (at most 65535 per side)");
        }
        if (width * height > maxPixels) {
            throw new ImageTooLargeException("image size " + width + "x" + height + " = " + width * height
                    + " pixels exceeds the limit of " + maxPixels + " pixels");
        }
    }

    /**
     * (1, 3, H, W) F32 with v / 255 of the image's 8-bit RGB ({@link RgbImages#toRgb8}, transparent pixels over
     * white: convert first for another background).
     */
    public static Tensor toTensor(BufferedImage image) {
        BufferedImage img = RgbImages.toRgb8(image, RgbImages.WHITE);
        int w = img.getWidth(), h = img.getHeight();
        int plane = w * h;
        float[] d = new float[3 * plane];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], i = y * w + x;
                d[i] = ((p >> 16) & 0xFF) / 255f;
                d[plane + i] = ((p >> 8) & 0xFF) / 255f;
                d[2 * plane + i] = (p & 0xFF) / 255f;
            }
        }
        return Tensor.fromFloats(d, 1, 3, h, w);
    }

    /** An 8-bit RGB image from (1, 3, H, W) values in [0, 1], rounded to the nearest level. */
    public static BufferedImage fromTensor(Tensor x) {
        if (x.rank() != 4 || x.dim(0) != 1 || x.dim(1) != 3) throw new IllegalArgumentException("expected (1, 3, H, W), got " + x);
        int h = x.dim(2), w = x.dim(3), plane = w * h;
        float[] d = x.toFloatArray();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                int i = y * w + xx;
                row[xx] = level(d[i]) << 16 | level(d[plane + i]) << 8 | level(d[2 * plane + i]);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return img;
    }

    static int level(float v) {
        if (!(v > 0f)) return 0;
        if (v >= 1f) return 255;
        return (int) (v * 255f + 0.5f);
    }

    /** The 8-bit R, G, B planes (3 x H x W) of an image ({@link RgbImages#toRgb8} over white), as doubles in [0, 1]. */
    public static double[][] planes(BufferedImage image) {
        BufferedImage img = RgbImages.toRgb8(image, RgbImages.WHITE);
        int w = img.getWidth(), h = img.getHeight();
        double[][] p = new double[3][w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                p[0][y * w + x] = ((v >> 16) & 0xFF) / 255.0;
                p[1][y * w + x] = ((v >> 8) & 0xFF) / 255.0;
                p[2][y * w + x] = (v & 0xFF) / 255.0;
            }
        }
        return p;
    }
}
