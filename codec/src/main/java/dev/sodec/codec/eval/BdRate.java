package dev.sodec.codec.eval;

import java.util.Arrays;

/**
 * Bjøntegaard delta metrics (VCEG-M33) between two rate-distortion curves, as the widely used Python version
 * computes them: a cubic polynomial fit by least squares ({@code numpy.polyfit(x, y, 3)}) of log rate against
 * quality (for BD-rate) or quality against log rate (for BD-PSNR), each integrated exactly over the interval both
 * curves cover. With fewer than four points the degree drops to points - 1 (two points: a straight line).
 */
public final class BdRate {
    private BdRate() {}

    /**
     * The average rate difference of {@code test} against {@code anchor} at equal quality, in percent: -20 means the
     * test codec needs 20 % fewer bits for the same quality.
     *
     * @throws IllegalArgumentException for fewer than two points, a non-positive rate, or curves that do not
     *     overlap in quality
     */
    public static double bdRate(double[] anchorRate, double[] anchorQuality, double[] testRate, double[] testQuality) {
        double[] la = logs(anchorRate), lt = logs(testRate);
        double avg = averageDifference(anchorQuality, la, testQuality, lt, "quality");
        return (Math.exp(avg) - 1) * 100;
    }

    /** The average quality difference of {@code test} against {@code anchor} at equal rate (dB for PSNR). */
    public static double bdQuality(double[] anchorRate, double[] anchorQuality, double[] testRate, double[] testQuality) {
        return averageDifference(logs(anchorRate), anchorQuality, logs(testRate), testQuality, "rate");
    }

    /** The degree used for {@code n} points: 3, or n - 1 when fewer than 4. */
    public static int degree(int n) {
        return Math.min(3, n - 1);
    }

    /** Mean over the common x interval of (fit of test y) - (fit of anchor y). */
    static double averageDifference(double[] xa, double[] ya, double[] xt, double[] yt, String axis) {
        check(xa, ya);
        check(xt, yt);
        double lo = Math.max(min(xa), min(xt)), hi = Math.min(max(xa), max(xt));
        if (!(hi > lo)) {
            throw new IllegalArgumentException("the two curves do not overlap in " + axis + " (" + range(xa) + " and "
                    + range(xt) + "): no Bjøntegaard delta");
        }
        Polynomial pa = Polynomial.fit(xa, ya, degree(xa.length)), pt = Polynomial.fit(xt, yt, degree(xt.length));
        return (pt.integral(lo, hi) - pa.integral(lo, hi)) / (hi - lo);
    }

    private static void check(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " rates but " + y.length + " qualities");
        if (x.length < 2) throw new IllegalArgumentException("a curve needs at least two points, got " + x.length);
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) throw new IllegalArgumentException("point " + i + " is not finite");
        }
    }

    private static double[] logs(double[] rate) {
        double[] l = new double[rate.length];
        for (int i = 0; i < rate.length; i++) {
            if (!(rate[i] > 0)) throw new IllegalArgumentException("rate " + rate[i] + " is not positive");
            l[i] = Math.log(rate[i]);
        }
        return l;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    private static String range(double[] v) {
        return String.format(java.util.Locale.ROOT, "%.4g..%.4g", min(v), max(v));
    }

    /** p(x) = sum c[k] t^k with t = (x - shift) / scale: centred and scaled for a well-conditioned fit. */
    record Polynomial(double[] c, double shift, double scale) {
        /** Least-squares fit of the given degree (lowered while the points cannot determine it). */
        static Polynomial fit(double[] x, double[] y, int degree) {
            int n = x.length;
            double mean = Arrays.stream(x).average().orElseThrow();
            double var = 0;
            for (double v : x) var += (v - mean) * (v - mean);
            double scale = Math.sqrt(var / n);
            if (!(scale > 0)) throw new IllegalArgumentException("all points of a curve have the same value");
            long distinct = Arrays.stream(x).distinct().count();
            int d = (int) Math.min(degree, distinct - 1);
            int m = d + 1;
            // normal equations A^T A c = A^T y in the scaled variable, solved with partial pivoting
            double[][] a = new double[m][m + 1];
            for (int i = 0; i < n; i++) {
                double t = (x[i] - mean) / scale;
                double[] pow = new double[2 * m];
                pow[0] = 1;
                for (int k = 1; k < 2 * m; k++) pow[k] = pow[k - 1] * t;
                for (int r = 0; r < m; r++) {
                    for (int col = 0; col < m; col++) a[r][col] += pow[r + col];
                    a[r][m] += pow[r] * y[i];
                }
            }
            for (int col = 0; col < m; col++) {
                int p = col;
                for (int r = col + 1; r < m; r++) if (Math.abs(a[r][col]) > Math.abs(a[p][col])) p = r;
                double[] tmp = a[col];
                a[col] = a[p];
                a[p] = tmp;
                for (int r = col + 1; r < m; r++) {
                    double f = a[r][col] / a[col][col];
                    for (int k = col; k <= m; k++) a[r][k] -= f * a[col][k];
                }
            }
            double[] c = new double[m];
            for (int r = m - 1; r >= 0; r--) {
                double s = a[r][m];
                for (int k = r + 1; k < m; k++) s -= a[r][k] * c[k];
                c[r] = s / a[r][r];
            }
            return new Polynomial(c, mean, scale);
        }

        /** The exact integral over [lo, hi] in x. */
        double integral(double lo, double hi) {
            return scale * (antiderivative((hi - shift) / scale) - antiderivative((lo - shift) / scale));
        }

        private double antiderivative(double t) {
            double s = 0;
            for (int k = c.length - 1; k >= 0; k--) s = s * t + c[k] / (k + 1);
            return s * t;
        }
    }
}
