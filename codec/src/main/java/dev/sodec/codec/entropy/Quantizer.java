package dev.sodec.codec.entropy;

/** CompressAI's {@code quantize(x, "symbols", means)}: {@code round(x - mean)} (half to even) as int, guarded. */
final class Quantizer {
    /** Beyond this a symbol cannot be coded (rANS escapes are limited to 2^28), so the input is rejected here. */
    static final float LIMIT = 1 << 26;

    private Quantizer() {}

    static int symbol(float x, float mean, int at) {
        float r = (float) Math.rint(x - mean);
        if (!(Math.abs(r) <= LIMIT)) {
            throw new IllegalArgumentException("value " + x + " - mean " + mean + " at element " + at
                    + " is not finite or too large to entropy-code");
        }
        return (int) r;
    }
}
