package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static double[][] constant(int w, int h, double v) {
        double[][] p = new double[3][w * h];
        for (double[] c : p) java.util.Arrays.fill(c, v);
        return p;
    }

    private static double[][] random(int w, int h, long seed) {
        Random r = new Random(seed);
        double[][] p = new double[3][w * h];
        for (double[] c : p) for (int i = 0; i < c.length; i++) c[i] = r.nextInt(256) / 255.0;
        return p;
    }

    private static double[][] noisy(double[][] a, double sigma, long seed) {
        Random r = new Random(seed);
        double[][] p = new double[a.length][];
        for (int c = 0; c < a.length; c++) {
            p[c] = a[c].clone();
            for (int i = 0; i < p[c].length; i++) p[c][i] = Math.min(1, Math.max(0, p[c][i] + sigma * r.nextGaussian()));
        }
        return p;
    }

    @Test
    void psnrOfIdenticalImagesIsInfinite() {
        double[][] a = random(20, 10, 1);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.psnr(a, a));
    }

    @Test
    void psnrOfAKnownMse() {
        // MSE 0.01 -> 20 dB
        assertEquals(20.0, Metrics.psnr(constant(8, 8, 0.5), constant(8, 8, 0.6)), 1e-9);
        // one 8-bit level everywhere: 20 log10(255)
        BufferedImage a = new BufferedImage(9, 7, BufferedImage.TYPE_INT_RGB), b = new BufferedImage(9, 7, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 7; y++) for (int x = 0; x < 9; x++) {
            a.setRGB(x, y, 0x102030);
            b.setRGB(x, y, 0x112131);
        }
        assertEquals(48.13080360867909, Metrics.psnr(a, b), 1e-9);
        // half the pixels of one channel off by 0.2: MSE = 0.04 / 2 / 3
        double[][] p = constant(4, 4, 0.3), q = constant(4, 4, 0.3);
        for (int i = 0; i < 8; i++) q[1][i] = 0.5;
        assertEquals(-10 * Math.log10(0.04 / 6), Metrics.psnr(p, q), 1e-9);
    }

    @Test
    void msSsimOfIdenticalImagesIsOne() {
        double[][] a = random(200, 180, 2);
        assertEquals(1.0, Metrics.msSsim(a, a, 200, 180), 1e-12);
        double[][] s = random(37, 61, 3);
        assertEquals(1.0, Metrics.msSsim(s, s, 37, 61), 1e-12);
    }

    @Test
    void msSsimOfConstantImagesIsTheLuminanceTermAtTheCoarsestScale() {
        // 176 = 11 * 16: every scale is even-sized and filtered; sigma terms vanish so cs = 1 at every scale
        double a = 0.3, b = 0.5, c1 = 1e-4;
        double expected = Math.pow((2 * a * b + c1) / (a * a + b * b + c1), 0.1333);
        assertEquals(expected, Metrics.msSsim(constant(176, 176, a), constant(176, 176, b), 176, 176), 1e-9);
    }

    @Test
    void msSsimIsSymmetricBoundedAndFallsWithNoise() {
        double[][] a = random(192, 170, 4);
        double prev = 1;
        for (double sigma : new double[] {0.01, 0.05, 0.2}) {
            double[][] b = noisy(a, sigma, 5);
            double v = Metrics.msSsim(a, b, 192, 170);
            assertEquals(v, Metrics.msSsim(b, a, 192, 170), 1e-12);
            assertTrue(v > 0 && v < prev, sigma + ": " + v);
            prev = v;
        }
    }

    @Test
    void gaussianWindowIsNormalisedAndCentred() {
        double[] g = Metrics.gaussianWindow();
        double sum = 0;
        for (double v : g) sum += v;
        assertEquals(1.0, sum, 1e-12);
        // hand value: 1 / (1 + 2 (e^-1/4.5 + e^-4/4.5 + e^-9/4.5 + e^-16/4.5 + e^-25/4.5)) = 0.26601
        assertEquals(0.26601, g[5], 2e-5);
        assertEquals(g[4], g[6], 0);
    }

    @Test
    void avgPoolPadsOddSidesOnBothEndsAndCountsZeros() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertArrayEquals(new double[] {1 / 4.0, (2 + 3) / 4.0, (4 + 7) / 4.0, (5 + 6 + 8 + 9) / 4.0}, Metrics.avgPool2(x, 3, 3), 1e-15);
        double[] e = {1, 2, 3, 4};
        assertArrayEquals(new double[] {2.5}, Metrics.avgPool2(e, 2, 2), 1e-15);
    }

    @Test
    void filterSkipsDimensionsShorterThanTheWindow() {
        int[] size = new int[2];
        double[] x = new double[5 * 20];
        for (int i = 0; i < x.length; i++) x[i] = i;
        double[] y = Metrics.filter(x, 5, 20, Metrics.gaussianWindow(), size);
        assertArrayEquals(new int[] {5, 10}, size);
        // filtering a linear ramp along rows returns the ramp value at the window centre
        assertEquals(x[5 * 5 + 2], y[2], 1e-9);
    }

    /** The pattern of src/test/resources/metrics/msssim_reference.py: {reference, small distortion, strong distortion}. */
    private static double[][][] pattern(int w, int h) {
        double[][][] p = new double[3][3][w * h];
        for (int c = 0; c < 3; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            int i = y * w + x;
            double a = ((x * x * 3 + y * 7 + c * 31 + (x * y) % 13) % 256) / 255.0;
            p[0][c][i] = a;
            p[1][c][i] = Math.min(1, Math.max(0, a + (((x * 5 + y * 3 + c) % 11) - 5) / 255.0 * 4));
            p[2][c][i] = Math.min(1, Math.max(0, 0.6 * a + 0.2 + (((x * 11 + y * 17 + c * 5) % 23) - 11) / 255.0 * 6));
        }
        return p;
    }

    @Test
    void msSsimMatchesAnIndependentNumpyPortOfPytorchMsssim() {
        // values printed by msssim_reference.py (float64 numpy, written separately from this class)
        double[][][] big = pattern(200, 180);
        assertEquals(0.9976145382749059, Metrics.msSsim(big[0], big[1], 200, 180), 1e-12);
        assertEquals(0.859059030853313, Metrics.msSsim(big[0], big[2], 200, 180), 1e-12);
        double[][][] small = pattern(37, 61);
        assertEquals(0.9977864598788851, Metrics.msSsim(small[0], small[1], 37, 61), 1e-12);
        assertEquals(0.8904842890840806, Metrics.msSsim(small[0], small[2], 37, 61), 1e-12);
    }
}
