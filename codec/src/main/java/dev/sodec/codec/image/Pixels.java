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

    /**
     * (1, 3, h, w) values v / 255 of a window of {@code rgb} padded by {@code pad} (rows and columns outside the image
     * repeat its edge pixels, as {@link Padding#pad} does), without building the padded image: the window starts at
     * row {@code y0}, column {@code x0} of the padded image.
     */
    public static Tensor window(BufferedImage rgb, Padding pad, int y0, int x0, int h, int w) {
        int iw = rgb.getWidth(), ih = rgb.getHeight(), plane = w * h;
        float[] d = new float[3 * plane];
        int[] row = new int[iw];
        for (int y = 0; y < h; y++) {
            rgb.getRGB(0, Math.clamp(y0 + y - pad.top(), 0, ih - 1), iw, 1, row, 0, iw);
            for (int x = 0; x < w; x++) {
                int p = row[Math.clamp(x0 + x - pad.left(), 0, iw - 1)], i = y * w + x;
                d[i] = ((p >> 16) & 0xFF) / 255f;
                d[plane + i] = ((p >> 8) & 0xFF) / 255f;
                d[2 * plane + i] = (p & 0xFF) / 255f;
            }
        }
        return Tensor.fromFloats(d, 1, 3, h, w);
    }

    /**
     * Writes a decoded tile (1, 3, h, w) whose first value is row {@code y0}, column {@code x0} of the padded image
     * into {@code out}, the unpadded image: the part that falls in the padding is dropped.
     */
    public static void put(BufferedImage out, Padding pad, int y0, int x0, Tensor tile) {
        int h = tile.dim(2), w = tile.dim(3), plane = w * h;
        float[] d = tile.toFloatArray();
        int firstX = Math.max(0, pad.left() - x0), endX = Math.min(w, out.getWidth() + pad.left() - x0);
        if (endX <= firstX) return;
        int[] row = new int[endX - firstX];
        for (int y = 0; y < h; y++) {
            int oy = y0 + y - pad.top();
            if (oy < 0 || oy >= out.getHeight()) continue;
            for (int x = firstX; x < endX; x++) {
                int i = y * w + x;
                row[x - firstX] = level(d[i]) << 16 | level(d[plane + i]) << 8 | level(d[2 * plane + i]);
            }
            out.setRGB(x0 + firstX - pad.left(), oy, row.length, 1, row, 0, row.length);
        }
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
