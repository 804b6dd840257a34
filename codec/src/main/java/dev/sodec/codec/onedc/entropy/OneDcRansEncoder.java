package dev.sodec.codec.onedc.entropy;

import dev.sodec.codec.entropy.CdfTables;
import java.util.Arrays;

/**
 * Encoder producing exactly the bytes of OneDC's {@code RansEncoder(False, 1)} (MLCodec_rans): symbols of several
 * {@link #encode} calls go into one stream, written by one {@link #finish()}.
 *
 * <p>Like the reference, each call only records what to code (a CDF interval per symbol, and for an escape the
 * bypass chunks); {@link #finish()} codes the whole record backwards, starting from the state 2^23, emitting bytes
 * backwards into a buffer that grows as needed (the reference's fixed buffer of one byte per record entry can
 * overflow), then puts the final state in front as 4 little-endian bytes and the flag byte before that.
 *
 * <p>Per symbol with row {@code k = index >= 0} (negative indexes are skipped, as in the reference): the symbol is
 * clamped to +-30000; {@code v = symbol - offset[k]}, {@code max = cdf_length[k] - 2}; values outside [0, max) are
 * coded as {@code max} followed by the payload {@code -2v - 1} (below) or {@code 2(v - max)} (above) in 2-bit
 * chunks: the chunk count as a run of 3s and a remainder, then the chunks least significant first.
 * Not thread-safe (one instance per thread); reusable after {@link #finish()} or {@link #reset()}.
 */
public final class OneDcRansEncoder {
    /** Upper bound on recorded entries (about 2.7 per symbol in the worst case): 4 GiB of record is refused. */
    private static final int MAX_RECORD = Integer.MAX_VALUE - 16;

    // Record entry: (start << 16) | freq for a CDF symbol (freq in [1, 2^16 - 1]), (chunk << 16) for a bypass chunk.
    private int[] record = new int[1024];
    private int size;

    /** Records {@code symbols[i]} with table row {@code indexes[i]} for every i. */
    public void encode(int[] symbols, int[] indexes, CdfTables tables) {
        if (symbols.length != indexes.length) {
            throw new IllegalArgumentException(symbols.length + " symbols but " + indexes.length + " indexes");
        }
        encode(symbols, 0, indexes, 0, symbols.length, tables);
    }

    /**
     * Records {@code symbols[symFrom, symFrom + n)}, symbol i with table row {@code indexes[idxFrom + i]}.
     *
     * @throws IllegalArgumentException if an index is not a row of {@code tables}, or a row's offset puts a clamped
     *     symbol so far outside its range that the reference could not code it (escape payload of 2^30 or more)
     */
    public void encode(int[] symbols, int symFrom, int[] indexes, int idxFrom, int n, CdfTables tables) {
        if (n < 0 || symFrom < 0 || idxFrom < 0 || symFrom > symbols.length - n || idxFrom > indexes.length - n) {
            throw new IndexOutOfBoundsException("encode range [" + symFrom + "/" + idxFrom + ", +" + n + ")");
        }
        final int rows = tables.rows();
        for (int i = 0; i < n; i++) {
            int k = indexes[idxFrom + i];
            if (k < 0) continue;
            if (k >= rows) throw new IllegalArgumentException("index " + k + " of symbol " + i + " is not a cdf row (0.." + (rows - 1) + ")");
            int sym = Math.max(-OneDcRans.SYMBOL_LIMIT, Math.min(OneDcRans.SYMBOL_LIMIT, symbols[symFrom + i]));
            int max = tables.length(k) - 2;
            long v = (long) sym - tables.offset(k);
            long raw = 0;
            if (v < 0) {
                raw = -2 * v - 1;
                v = max;
            } else if (v >= max) {
                raw = 2 * (v - max);
                v = max;
            }
            if (raw >= 1L << (2 * OneDcRans.MAX_CHUNKS)) {
                throw new IllegalArgumentException("symbol " + symbols[symFrom + i] + " at " + i
                        + " is too far outside the range of cdf row " + k + " (offset " + tables.offset(k) + ")");
            }
            int value = (int) v;
            int start = tables.cdf(k, value);
            ensure(3 + OneDcRans.MAX_CHUNKS + OneDcRans.MAX_CHUNKS / OneDcRans.BYPASS_MAX);
            record[size++] = (start << 16) | (tables.cdf(k, value + 1) - start);
            if (value == max) {
                int r = (int) raw;
                int chunks = 0;
                while ((r >>> (OneDcRans.BYPASS_BITS * chunks)) != 0) chunks++;
                int c = chunks;
                while (c >= OneDcRans.BYPASS_MAX) {
                    record[size++] = OneDcRans.BYPASS_MAX << 16;
                    c -= OneDcRans.BYPASS_MAX;
                }
                record[size++] = c << 16;
                for (int j = 0; j < chunks; j++) record[size++] = ((r >>> (OneDcRans.BYPASS_BITS * j)) & OneDcRans.BYPASS_MAX) << 16;
            }
        }
    }

    /** Entries recorded since the last finish or reset (the reference's {@code _syms.size()}). */
    public int recorded() {
        return size;
    }

    /** Drops everything recorded (the reference's {@code reset()}). */
    public void reset() {
        size = 0;
    }

    /**
     * Codes everything recorded into one stream: flag byte 0x01, the final state as 4 little-endian bytes, then the
     * bytes emitted. Clears the record.
     */
    public byte[] finish() {
        byte[] b = new byte[Math.max(64, size + 16)];
        int pos = b.length;
        int x = OneDcRans.L; // x stays in [2^23, 2^31): int arithmetic is the reference's uint32 arithmetic
        for (int i = size - 1; i >= 0; i--) {
            int e = record[i];
            int freq = e & 0xFFFF, start = e >>> 16;
            int xMax = freq == 0 ? OneDcRans.BYPASS_X_MAX : freq << OneDcRans.FREQ_SHIFT;
            while (x >= xMax) {
                if (pos == 0) {
                    int old = b.length;
                    b = grow(b);
                    pos = b.length - old;
                }
                b[--pos] = (byte) x;
                x >>>= 8;
            }
            if (freq == 0) x = (x << OneDcRans.BYPASS_BITS) | start;
            else x = ((x / freq) << OneDcRans.PRECISION) + (x % freq) + start;
        }
        size = 0;
        int body = b.length - pos;
        byte[] out = new byte[OneDcRans.HEADER_BYTES + body];
        out[0] = (byte) OneDcRans.FLAG;
        out[1] = (byte) x;
        out[2] = (byte) (x >>> 8);
        out[3] = (byte) (x >>> 16);
        out[4] = (byte) (x >>> 24);
        System.arraycopy(b, pos, out, OneDcRans.HEADER_BYTES, body);
        return out;
    }

    private void ensure(int more) {
        if (size + more <= record.length) return;
        if (record.length >= MAX_RECORD / 2) throw new IllegalStateException("rANS record exceeds " + MAX_RECORD + " entries");
        record = Arrays.copyOf(record, record.length * 2);
    }

    /** Doubles the buffer, keeping the bytes written so far at its end. */
    private static byte[] grow(byte[] b) {
        if (b.length > Integer.MAX_VALUE / 2 - 16) throw new IllegalStateException("rANS output exceeds 1 GiB");
        byte[] nb = new byte[b.length * 2];
        System.arraycopy(b, 0, nb, b.length, b.length);
        return nb;
    }
}
