package dev.sodec.codec.entropy;

/**
 * Decoder for the streams of {@link RansEncoder} and CompressAI's {@code RansEncoder}: the inverse of
 * {@code RansDecoder.decode_with_indexes}, hardened for untrusted input.
 *
 * <p>Safety argument. The initial state must lie in the normalised interval [2^31, 2^63); every decoding step maps
 * that interval into itself after at most one word of renormalisation, so the arithmetic never overflows a signed
 * long whatever the bytes. Every word read is bounds-checked, the escape nibble count is capped at a 32-bit
 * payload, each index is checked against the tables (whose rows were validated when built), and the work is one
 * step per symbol plus at most 9 nibbles per escape. A valid stream is consumed exactly and ends in the encoder's
 * initial state 2^31; anything else is reported as corrupt. The output array is the caller's, sized by the caller.
 */
public final class RansDecoder {
    private RansDecoder() {}

    public static int[] decode(byte[] stream, int[] indexes, CdfTables tables) {
        int[] out = new int[indexes.length];
        decode(stream, 0, stream.length, indexes, 0, indexes.length, tables, out, 0);
        return out;
    }

    /**
     * Decodes {@code n} symbols from {@code stream[from, from + len)} into {@code out[outFrom, outFrom + n)}, symbol
     * i with table row {@code indexes[idxFrom + i]}.
     *
     * @throws CorruptStreamException if the bytes are not a stream the encoder could have produced for these
     *     indexes and tables (truncated, trailing data, flipped bits, ...)
     * @throws IllegalArgumentException if an index is not a row of {@code tables}
     */
    public static void decode(byte[] stream, int from, int len, int[] indexes, int idxFrom, int n,
                              CdfTables tables, int[] out, int outFrom) {
        if (from < 0 || len < 0 || from + len > stream.length || n < 0 || idxFrom < 0 || idxFrom + n > indexes.length
                || outFrom < 0 || outFrom + n > out.length) {
            throw new IndexOutOfBoundsException("decode range");
        }
        if (len < 8 || (len & 3) != 0) {
            throw new CorruptStreamException("rANS stream of " + len + " bytes: must be a whole number of 32-bit words, at least 2");
        }
        final int[] cdf = tables.cdfArray();
        final int[] length = tables.lengthArray();
        final int[] offset = tables.offsetArray();
        final int stride = tables.stride();
        final int rows = length.length;
        final char[] lookup = tables.lookupArray();
        final int[] lookupBase = tables.lookupBaseArray();
        final int[] lookupShift = tables.lookupShiftArray();
        final int end = from + len;
        long x = ((int) Rans.INT_LE.get(stream, from) & 0xFFFF_FFFFL) | ((long) (int) Rans.INT_LE.get(stream, from + 4) << 32);
        if (x < Rans.L) { // also rejects x >= 2^63, which is negative here
            throw new CorruptStreamException("rANS stream starts with state 0x" + Long.toHexString(x) + ", outside [2^31, 2^63)");
        }
        int p = from + 8;
        for (int i = 0; i < n; i++) {
            int k = indexes[idxFrom + i];
            if (k < 0 || k >= rows) throw new IllegalArgumentException("index " + k + " of symbol " + i + " is not a cdf row (0.." + (rows - 1) + ")");
            int base = k * stride;
            int maxValue = length[k] - 2;
            int cum = (int) x & Rans.MASK;
            // Largest s with cdf[s] <= cum (the reference's find_if): start at the bucket's first symbol, scan
            // forward; cdf[length - 1] = 2^16 > cum stops the scan at s <= length - 2.
            int lo = lookup[lookupBase[k] + (cum >>> lookupShift[k])];
            while (cdf[base + lo + 1] <= cum) lo++;
            int start = cdf[base + lo];
            int freq = cdf[base + lo + 1] - start;
            x = freq * (x >>> Rans.PRECISION) + (cum - start);
            if (x < Rans.L) {
                if (p >= end) throw truncated(i);
                x = (x << 32) | ((int) Rans.INT_LE.get(stream, p) & 0xFFFF_FFFFL);
                p += 4;
            }
            int value = lo;
            if (value == maxValue) {
                int nibbles = 0;
                int nib;
                do {
                    nib = (int) x & Rans.BYPASS_MAX;
                    x >>>= Rans.BYPASS_BITS;
                    if (x < Rans.L) {
                        if (p >= end) throw truncated(i);
                        x = (x << 32) | ((int) Rans.INT_LE.get(stream, p) & 0xFFFF_FFFFL);
                        p += 4;
                    }
                    nibbles += nib;
                    if (nibbles > Rans.MAX_DECODE_NIBBLES) {
                        throw new CorruptStreamException("rANS stream: symbol " + i + " escape claims " + nibbles + "+ nibbles");
                    }
                } while (nib == Rans.BYPASS_MAX);
                int raw = 0;
                for (int j = 0; j < nibbles; j++) {
                    raw |= ((int) x & Rans.BYPASS_MAX) << (j * Rans.BYPASS_BITS);
                    x >>>= Rans.BYPASS_BITS;
                    if (x < Rans.L) {
                        if (p >= end) throw truncated(i);
                        x = (x << 32) | ((int) Rans.INT_LE.get(stream, p) & 0xFFFF_FFFFL);
                        p += 4;
                    }
                }
                // As the reference: the payload is a signed int, shifted arithmetically.
                value = (raw & 1) != 0 ? -(raw >> 1) - 1 : (raw >> 1) + maxValue;
            }
            out[outFrom + i] = value + offset[k];
        }
        if (p != end) throw new CorruptStreamException("rANS stream has " + (end - p) + " bytes left after " + n + " symbols");
        if (x != Rans.L) throw new CorruptStreamException("rANS stream ends in state 0x" + Long.toHexString(x) + ", not the initial 2^31");
    }

    private static CorruptStreamException truncated(int symbol) {
        return new CorruptStreamException("rANS stream ends early, at symbol " + symbol);
    }
}
