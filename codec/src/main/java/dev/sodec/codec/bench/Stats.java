package dev.sodec.codec.bench;

import java.util.Arrays;

/** Median and spread of a few timings. */
public final class Stats {
    private Stats() {}

    /** The middle value; the mean of the two middle values for an even count. */
    public static double median(double[] v) {
        if (v.length == 0) throw new IllegalArgumentException("no values");
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    public static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }
}
