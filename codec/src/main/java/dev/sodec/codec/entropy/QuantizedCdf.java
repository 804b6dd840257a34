package dev.sodec.codec.entropy;

/**
 * CompressAI's {@code pmf_to_quantized_cdf} at 16-bit precision, reproduced exactly so tables built here equal the
 * reference's: round each probability to a count (float32 product, C {@code roundf}: half away from zero),
 * renormalise the counts to 2^16 with integer division, take the prefix sum, pin the last entry to 2^16, then give
 * every zero-frequency symbol one count taken from the currently smallest frequency above one (first such symbol
 * on ties).
 *
 * <p>The reference finds that donor with a full scan per zero-frequency symbol (quadratic). Each steal changes
 * exactly two frequencies, so here a min-tree over the frequencies answers the same "first minimal frequency
 * above one" query in logarithmic time: the result is identical and a hostile pmf full of zeros cannot stall.
 */
public final class QuantizedCdf {
    /** Bits of the probability scale every table uses (CompressAI's entropy_coder_precision). */
    public static final int PRECISION = 16;
    public static final int TOTAL = 1 << PRECISION;
    /**
     * At most this many symbols fit a strictly increasing table of TOTAL counts (each needs a count of one); a
     * pmf longer than this cannot be quantized.
     */
    public static final int MAX_SYMBOLS = TOTAL;

    private QuantizedCdf() {}

    /** The quantized CDF of {@code pmf} (length pmf.length + 1, cdf[0] = 0, cdf[last] = 2^16, strictly increasing). */
    public static int[] fromPmf(float[] pmf) {
        return fromPmf(pmf, 0, pmf.length);
    }

    /** As {@link #fromPmf(float[])} for {@code pmf[from, from + n)}. */
    public static int[] fromPmf(float[] pmf, int from, int n) {
        if (n < 1) throw new IllegalArgumentException("pmf is empty");
        if (n > MAX_SYMBOLS) {
            throw new IllegalArgumentException("pmf has " + n + " entries; at most " + MAX_SYMBOLS
                    + " fit a " + PRECISION + "-bit CDF");
        }
        int[] freq = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            float p = pmf[from + i];
            if (!(p >= 0) || Float.isInfinite(p)) {
                throw new IllegalArgumentException("pmf[" + i + "] = " + p + ": probabilities must be finite and >= 0");
            }
            long c = roundHalfAway(p * (float) TOTAL);
            if (c > 0xFFFF_FFFFL) throw new IllegalArgumentException("pmf[" + i + "] = " + p + " is far above 1");
            freq[i] = (int) c;
            total += c;
        }
        // The reference sums in 32-bit unsigned arithmetic; a sum that would wrap means a pmf far above 1.
        if (total > 0xFFFF_FFFFL) throw new IllegalArgumentException("pmf sums to far more than 1");
        if (total == 0) throw new IllegalArgumentException("pmf has no non-zero probability");
        long sum = 0;
        for (int i = 0; i < n; i++) {
            int f = (int) (((long) TOTAL * Integer.toUnsignedLong(freq[i])) / total);
            freq[i] = f;
            sum += f;
        }
        // Pinning the last cdf entry to TOTAL gives the rounding remainder to the last symbol.
        freq[n - 1] += (int) (TOTAL - sum);
        stealForZeros(freq);
        int[] cdf = new int[n + 1];
        for (int i = 0; i < n; i++) cdf[i + 1] = cdf[i] + freq[i];
        return cdf;
    }

    /** C {@code roundf} on a non-negative float: half away from zero. */
    private static long roundHalfAway(float v) {
        return (long) Math.floor((double) v + 0.5);
    }

    private static void stealForZeros(int[] freq) {
        int n = freq.length;
        boolean anyZero = false;
        for (int f : freq) anyZero |= f == 0;
        if (!anyZero) return;
        MinTree donors = new MinTree(freq);
        for (int i = 0; i < n; i++) {
            if (freq[i] != 0) continue;
            int j = donors.firstMin();
            if (j < 0) throw new IllegalArgumentException("pmf has too many symbols to give each a non-zero count");
            freq[j]--;
            freq[i]++;
            donors.update(j, freq[j]);
            donors.update(i, freq[i]);
        }
    }

    /**
     * Leftmost minimum over the frequencies that may donate (those above one; others are keyed out), in a
     * segment tree of indexes.
     */
    private static final class MinTree {
        private final int size;
        private final int[] key;
        private final int[] node;

        MinTree(int[] freq) {
            int s = 1;
            while (s < freq.length) s <<= 1;
            size = s;
            key = new int[s];
            node = new int[2 * s];
            for (int i = 0; i < s; i++) {
                key[i] = i < freq.length ? keyOf(freq[i]) : Integer.MAX_VALUE;
                node[s + i] = i;
            }
            for (int v = s - 1; v >= 1; v--) node[v] = better(node[2 * v], node[2 * v + 1]);
        }

        private static int keyOf(int f) {
            return f > 1 ? f : Integer.MAX_VALUE;
        }

        private int better(int a, int b) {
            // Ties go to the lower index, like the reference's strict "<" scan from the left.
            return key[b] < key[a] ? b : a;
        }

        int firstMin() {
            int r = node[1];
            return key[r] == Integer.MAX_VALUE ? -1 : r;
        }

        void update(int i, int f) {
            key[i] = keyOf(f);
            for (int v = (size + i) >> 1; v >= 1; v >>= 1) node[v] = better(node[2 * v], node[2 * v + 1]);
        }
    }
}
