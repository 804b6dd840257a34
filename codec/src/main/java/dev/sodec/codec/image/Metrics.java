package dev.sodec.codec.image;

import java.awt.image.BufferedImage;

/**
 * Image quality metrics as CompressAI's eval reports them, on values in [0, 1] (data range 1), computed in double.
 *
 * <p>MS-SSIM follows pytorch_msssim (Wang et al. 2003): 11-tap Gaussian window with sigma 1.5 applied separably
 * as a valid (unpadded) filter, K1 = 0.01, K2 = 0.03, five scales with weights 0.0448, 0.2856, 0.3001, 0.2363,
 * 0.1333, 2x2 average pooling between scales with zero padding of 1 on both sides of an odd dimension (counted in
 * the average), negative contrast terms clamped to 0, and the mean over channels. Like pytorch_msssim's filter, a
 * dimension shorter than the window is not smoothed; pytorch_msssim additionally refuses images whose shorter side
 * is at most 160 pixels, where we compute the same formula instead, so small images get a value rather than an
 * error (it is then not comparable to published numbers).
 */
public final class Metrics {
    private Metrics() {}

    static final int WIN = 11;
    static final double SIGMA = 1.5;
    static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    static final double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;

    /** Mean squared error over all channels and pixels; planes are 3 x (w*h). */
    public static double mse(double[][] a, double[][] b) {
        requireSameShape(a, b);
        double s = 0;
        long n = 0;
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[c].length; i++) {
                double d = a[c][i] - b[c][i];
                s += d * d;
            }
            n += a[c].length;
        }
        return s / n;
    }

    /** 10 log10(1 / MSE) in dB; +Infinity for identical images. */
    public static double psnr(double[][] a, double[][] b) {
        return -10 * Math.log10(mse(a, b));
    }

    public static double psnr(BufferedImage a, BufferedImage b) {
        requireSameSize(a, b);
        return psnr(Pixels.planes(a), Pixels.planes(b));
    }

    public static double msSsim(BufferedImage a, BufferedImage b) {
        requireSameSize(a, b);
        return msSsim(Pixels.planes(a), Pixels.planes(b), a.getWidth(), a.getHeight());
    }

    /** MS-SSIM of two images given as planes (C x (w*h)), averaged over channels. */
    public static double msSsim(double[][] a, double[][] b, int w, int h) {
        requireSameShape(a, b);
        double[] win = gaussianWindow();
        double total = 0;
        for (int c = 0; c < a.length; c++) {
            if (a[c].length != (long) w * h) throw new IllegalArgumentException("plane of " + a[c].length + " values for " + w + "x" + h);
            double[] x = a[c], y = b[c];
            int cw = w, ch = h;
            double value = 1;
            for (int level = 0; level < WEIGHTS.length; level++) {
                double[] sc = ssimAndCs(x, y, cw, ch, win);
                if (level < WEIGHTS.length - 1) {
                    value *= Math.pow(Math.max(sc[1], 0), WEIGHTS[level]);
                    int nw = cw / 2 + cw % 2, nh = ch / 2 + ch % 2;
                    x = avgPool2(x, cw, ch);
                    y = avgPool2(y, cw, ch);
                    cw = nw;
                    ch = nh;
                } else {
                    value *= Math.pow(Math.max(sc[0], 0), WEIGHTS[level]);
                }
            }
            total += value;
        }
        return total / a.length;
    }

    /** The normalized 1-D Gaussian, centred on tap 5. */
    static double[] gaussianWindow() {
        double[] g = new double[WIN];
        double sum = 0;
        for (int i = 0; i < WIN; i++) {
            double d = i - WIN / 2;
            g[i] = Math.exp(-(d * d) / (2 * SIGMA * SIGMA));
            sum += g[i];
        }
        for (int i = 0; i < WIN; i++) g[i] /= sum;
        return g;
    }

    /** {mean SSIM, mean contrast-structure} of one channel at one scale. */
    static double[] ssimAndCs(double[] x, double[] y, int w, int h, double[] win) {
        int n = w * h;
        double[] xx = new double[n], yy = new double[n], xy = new double[n];
        for (int i = 0; i < n; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        int[] size = new int[2];
        double[] mu1 = filter(x, w, h, win, size);
        double[] mu2 = filter(y, w, h, win, size);
        double[] sxx = filter(xx, w, h, win, size);
        double[] syy = filter(yy, w, h, win, size);
        double[] sxy = filter(xy, w, h, win, size);
        int m = size[0] * size[1];
        double ssim = 0, cs = 0;
        for (int i = 0; i < m; i++) {
            double m1 = mu1[i], m2 = mu2[i];
            double s1 = sxx[i] - m1 * m1, s2 = syy[i] - m2 * m2, s12 = sxy[i] - m1 * m2;
            double csv = (2 * s12 + C2) / (s1 + s2 + C2);
            cs += csv;
            ssim += (2 * m1 * m2 + C1) / (m1 * m1 + m2 * m2 + C1) * csv;
        }
        return new double[] {ssim / m, cs / m};
    }

    /**
     * Valid separable filtering, rows (H) first then columns (W); a dimension shorter than the window is left
     * unfiltered. {@code size} receives the output {w, h}.
     */
    static double[] filter(double[] src, int w, int h, double[] win, int[] size) {
        double[] cur = src;
        int cw = w, ch = h;
        int k = win.length;
        if (ch >= k) {
            int oh = ch - k + 1;
            double[] out = new double[cw * oh];
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < cw; x++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) s += win[t] * cur[(y + t) * cw + x];
                    out[y * cw + x] = s;
                }
            }
            cur = out;
            ch = oh;
        }
        if (cw >= k) {
            int ow = cw - k + 1;
            double[] out = new double[ow * ch];
            for (int y = 0; y < ch; y++) {
                for (int x = 0; x < ow; x++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) s += win[t] * cur[y * cw + x + t];
                    out[y * ow + x] = s;
                }
            }
            cur = out;
            cw = ow;
        }
        size[0] = cw;
        size[1] = ch;
        return cur;
    }

    /**
     * torch avg_pool2d(kernel 2, stride 2, padding (h % 2, w % 2)), zeros counted: an odd dimension is padded by
     * one on both sides, so output index o covers inputs 2o - pad and 2o - pad + 1.
     */
    static double[] avgPool2(double[] src, int w, int h) {
        int pw = w % 2, ph = h % 2;
        int ow = (w + 2 * pw - 2) / 2 + 1, oh = (h + 2 * ph - 2) / 2 + 1;
        double[] out = new double[ow * oh];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double s = 0;
                for (int dy = 0; dy < 2; dy++) {
                    int y = 2 * oy - ph + dy;
                    if (y < 0 || y >= h) continue;
                    for (int dx = 0; dx < 2; dx++) {
                        int x = 2 * ox - pw + dx;
                        if (x < 0 || x >= w) continue;
                        s += src[y * w + x];
                    }
                }
                out[oy * ow + ox] = s / 4;
            }
        }
        return out;
    }

    private static void requireSameShape(double[][] a, double[][] b) {
        if (a.length != b.length) throw new IllegalArgumentException("channel counts differ: " + a.length + " vs " + b.length);
        for (int c = 0; c < a.length; c++) {
            if (a[c].length != b[c].length) throw new IllegalArgumentException("image sizes differ");
        }
    }

    private static void requireSameSize(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalArgumentException("image sizes differ: " + a.getWidth() + "x" + a.getHeight() + " vs "
                    + b.getWidth() + "x" + b.getHeight());
        }
    }
}
