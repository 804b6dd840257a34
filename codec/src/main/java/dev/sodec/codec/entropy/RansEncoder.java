package dev.sodec.codec.entropy;

import java.util.Arrays;

/**
 * Encoder producing exactly the bytes of CompressAI's {@code RansEncoder.encode_with_indexes}.
 *
 * <p>The reference first pushes every symbol (and its escape nibbles) onto a list and then codes the list
 * backwards. Here the symbols are walked backwards directly, emitting each symbol's nibbles in reverse before the
 * symbol itself: the same sequence of rANS operations with no per-symbol buffer. Words are written from the end
 * of a reusable buffer that doubles when full, so steady-state encoding allocates only the returned array.
 * Not thread-safe (one instance per thread).
 */
public final class RansEncoder {
    private byte[] buf;

    public RansEncoder() {
        this(1 << 12);
    }

    /** @param initialBytes initial capacity of the reusable output buffer */
    public RansEncoder(int initialBytes) {
        buf = new byte[Math.max(16, initialBytes)];
    }

    /** Convenience: one-shot encode with a fresh encoder. */
    public static byte[] encodeOnce(int[] symbols, int[] indexes, CdfTables tables) {
        return new RansEncoder(symbols.length * 2 + 16).encode(symbols, indexes, tables);
    }

    public byte[] encode(int[] symbols, int[] indexes, CdfTables tables) {
        if (symbols.length != indexes.length) {
            throw new IllegalArgumentException(symbols.length + " symbols but " + indexes.length + " indexes");
        }
        return encode(symbols, 0, indexes, 0, symbols.length, tables);
    }

    /**
     * Codes {@code symbols[symFrom, symFrom + n)}, symbol i with table row {@code indexes[idxFrom + i]}.
     *
     * @throws IllegalArgumentException if an index is not a row of {@code tables}, or a symbol is so far outside
     *     its row's range (escape payload 2^28 or more) that CompressAI could not code it
     */
    public byte[] encode(int[] symbols, int symFrom, int[] indexes, int idxFrom, int n, CdfTables tables) {
        if (n < 0 || symFrom < 0 || idxFrom < 0 || symFrom + n > symbols.length || idxFrom + n > indexes.length) {
            throw new IndexOutOfBoundsException("encode range [" + symFrom + "/" + idxFrom + ", +" + n + ")");
        }
        final int[] cdf = tables.cdfArray();
        final int[] length = tables.lengthArray();
        final int[] offset = tables.offsetArray();
        final int stride = tables.stride();
        final int rows = length.length;
        byte[] b = buf;
        int pos = b.length;
        long x = Rans.L;
        for (int i = n - 1; i >= 0; i--) {
            int k = indexes[idxFrom + i];
            if (k < 0 || k >= rows) throw new IllegalArgumentException("index " + k + " of symbol " + i + " is not a cdf row (0.." + (rows - 1) + ")");
            int maxValue = length[k] - 2;
            int value = symbols[symFrom + i] - offset[k];
            if (value < 0 || value >= maxValue) {
                // Escape: the row's last symbol, then the payload's nibble count and its nibbles (least significant
                // first) as bypass bits. Pushed in that order, so coded here in reverse.
                long escape = value < 0 ? -2L * value - 1 : 2L * ((long) value - maxValue);
                if (escape >= Rans.MAX_ESCAPE || (long) symbols[symFrom + i] - offset[k] != value) {
                    throw new IllegalArgumentException("symbol " + symbols[symFrom + i] + " at " + i + " is too far outside the range of cdf row " + k);
                }
                int raw = (int) escape;
                int nibbles = raw == 0 ? 0 : (32 - Integer.numberOfLeadingZeros(raw) + Rans.BYPASS_BITS - 1) / Rans.BYPASS_BITS;
                for (int j = nibbles - 1; j >= 0; j--) {
                    if (x >= Rans.BYPASS_X_MAX) {
                        if (pos < 4) { b = grow(b, pos); pos += b.length / 2; }
                        pos -= 4;
                        Rans.INT_LE.set(b, pos, (int) x);
                        x >>>= 32;
                    }
                    x = (x << Rans.BYPASS_BITS) | ((raw >>> (j * Rans.BYPASS_BITS)) & Rans.BYPASS_MAX);
                }
                // The count is sent as runs of 15 followed by the remainder; coded backwards: remainder first.
                int remainder = nibbles % Rans.BYPASS_MAX;
                for (int c = nibbles / Rans.BYPASS_MAX; c >= 0; c--) {
                    if (x >= Rans.BYPASS_X_MAX) {
                        if (pos < 4) { b = grow(b, pos); pos += b.length / 2; }
                        pos -= 4;
                        Rans.INT_LE.set(b, pos, (int) x);
                        x >>>= 32;
                    }
                    x = (x << Rans.BYPASS_BITS) | remainder;
                    remainder = Rans.BYPASS_MAX;
                }
                value = maxValue;
            }
            int at = k * stride + value;
            int start = cdf[at];
            long freq = cdf[at + 1] - start;
            if (x >= freq << Rans.FREQ_SHIFT) {
                if (pos < 4) { b = grow(b, pos); pos += b.length / 2; }
                pos -= 4;
                Rans.INT_LE.set(b, pos, (int) x);
                x >>>= 32;
            }
            // x < 2^63 here, so signed division is the reference's unsigned one.
            long q = x / freq;
            x = (q << Rans.PRECISION) + (x - q * freq) + start;
        }
        if (pos < 8) { b = grow(b, pos); pos += b.length / 2; }
        pos -= 8;
        Rans.INT_LE.set(b, pos, (int) x);
        Rans.INT_LE.set(b, pos + 4, (int) (x >>> 32));
        buf = b;
        return Arrays.copyOfRange(b, pos, b.length);
    }

    /** Doubles the buffer, keeping the bytes written so far (b[pos..]) at its end. */
    private static byte[] grow(byte[] b, int pos) {
        if (b.length > Integer.MAX_VALUE / 2 - 16) throw new IllegalStateException("rANS output exceeds 1 GiB");
        byte[] nb = new byte[b.length * 2];
        System.arraycopy(b, pos, nb, b.length + pos, b.length - pos);
        return nb;
    }
}
