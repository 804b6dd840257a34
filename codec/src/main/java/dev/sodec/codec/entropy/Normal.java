package dev.sodec.codec.entropy;

/**
 * The standard normal distribution as the Gaussian conditional needs it. Java has no erfc, so it is computed here
 * in double precision (relative error below 1e-13 over the whole range, see NormalTest) and rounded once to float:
 * the float32 results are then the correctly rounded values except in astronomically rare ties.
 */
public final class Normal {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    /** CompressAI's {@code float(-(2**-0.5))} as the float32 the multiplication uses. */
    private static final float MINUS_SQRT_HALF = (float) -0.7071067811865476;

    private Normal() {}

    /** Complementary error function, double precision. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2 - erfcNonNegative(-x);
        return erfcNonNegative(x);
    }

    private static double erfcNonNegative(double x) {
        if (x > 27.3) return 0; // below the smallest double
        if (x < 1.5) {
            // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!: all terms positive, no cancellation.
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            return 1 - TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        }
        // Laplace's continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
        // evaluated bottom-up with a depth that shrinks as it converges faster for larger x.
        int depth = (int) (20 + 400 / (x * x));
        double t = x;
        for (int k = depth; k >= 1; k--) t = x + (0.5 * k) / t;
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / t;
    }

    /**
     * CompressAI's {@code _standardized_cumulative(v) = 0.5 * erfc(-(2^-0.5) * v)} with float32 tensors: the
     * product is rounded to float before erfc, erfc's result is rounded to float.
     */
    public static float standardizedCumulative(float v) {
        float arg = MINUS_SQRT_HALF * v;
        return 0.5f * (float) erfc(arg);
    }

    /**
     * {@code -Phi^-1(p)} for p in (0, 0.5]: the multiplier CompressAI takes from {@code -scipy.stats.norm.ppf(p)}
     * (6.1094102048693975 for p = 5e-10). Newton iteration on erfc in double precision.
     */
    public static double upperQuantile(double p) {
        if (!(p > 0 && p <= 0.5)) throw new IllegalArgumentException("tail probability " + p + " outside (0, 0.5]");
        // Solve 0.5 * erfc(q / sqrt 2) = p for q >= 0, iterating on the log for a well-conditioned step.
        double q = Math.sqrt(-2 * Math.log(p));
        for (int i = 0; i < 100; i++) {
            double tail = 0.5 * erfc(q / Math.sqrt(2));
            double density = Math.exp(-0.5 * q * q) / Math.sqrt(2 * Math.PI);
            double step = (tail - p) / density;
            if (q == 0 && step < 0) break;
            double next = q + step;
            if (next == q) break;
            q = next;
            if (Math.abs(step) < 1e-17 * q) break;
        }
        return q;
    }
}
