package dev.sodec.codec.onedc.entropy;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.CorruptStreamException;

/**
 * Decoder for the streams of {@link OneDcRansEncoder} and OneDC's {@code RansEncoder}: one stream read by several
 * sequential {@link #decode} calls (OneDC's four prior steps), then {@link #finish()}. Hardened for untrusted input.
 *
 * <p>Safety argument. The initial state must lie in [2^23, 2^31); a decoding step maps that interval into itself
 * after at most two renormalisation bytes (x' = f (x >> 16) + (x & 0xFFFF) - start >= x >> 16 >= 2^7), a bypass
 * chunk after at most one, so int arithmetic never overflows whatever the bytes. Every byte read is bounds-checked,
 * an escape may claim at most 15 chunks, indexes are checked against the tables (validated when built), and a
 * decoded value must be one the encoder can produce (|value| <= 30000, the clamp). Work is one step per symbol plus
 * at most 20 chunk reads per escape. A valid stream is consumed exactly and ends in the encoder's initial state 2^23,
 * which {@link #finish()} checks. Not thread-safe.
 */
public final class OneDcRansDecoder {
    private final byte[] stream;
    private final int end;
    private int pos;
    private int x;
    private long decoded;

    /** Starts decoding {@code stream} (flag byte, state, bytes). */
    public OneDcRansDecoder(byte[] stream) {
        this(stream, 0, stream.length);
    }

    /** Starts decoding {@code stream[from, from + len)}. */
    public OneDcRansDecoder(byte[] stream, int from, int len) {
        if (from < 0 || len < 0 || from > stream.length - len) throw new IndexOutOfBoundsException("stream range");
        if (len < OneDcRans.HEADER_BYTES) {
            throw new CorruptStreamException("OneDC rANS stream of " + len + " bytes: shorter than its " + OneDcRans.HEADER_BYTES + "-byte header");
        }
        int flag = stream[from] & 0xFF;
        if (flag != OneDcRans.FLAG) {
            throw new CorruptStreamException(String.format("OneDC rANS stream starts with flag byte 0x%02x, not 0x%02x"
                    + " (one part)", flag, OneDcRans.FLAG));
        }
        int s = (stream[from + 1] & 0xFF) | (stream[from + 2] & 0xFF) << 8 | (stream[from + 3] & 0xFF) << 16 | (stream[from + 4] & 0xFF) << 24;
        if (s < OneDcRans.L) { // also rejects s >= 2^31, which is negative here
            throw new CorruptStreamException("OneDC rANS stream starts with state 0x" + Integer.toHexString(s) + ", outside [2^23, 2^31)");
        }
        this.stream = stream;
        this.end = from + len;
        this.pos = from + OneDcRans.HEADER_BYTES;
        this.x = s;
    }

    /** Decodes one symbol per index (negative index: skipped by the encoder, decodes to 0). */
    public int[] decode(int[] indexes, CdfTables tables) {
        int[] out = new int[indexes.length];
        decode(indexes, 0, indexes.length, tables, out, 0);
        return out;
    }

    /**
     * Decodes {@code n} symbols into {@code out[outFrom, outFrom + n)}, symbol i with table row
     * {@code indexes[idxFrom + i]}, continuing where the previous call stopped.
     *
     * @throws CorruptStreamException if the bytes are not what the encoder produced for these indexes and tables
     * @throws IllegalArgumentException if an index is not a row of {@code tables}
     */
    public void decode(int[] indexes, int idxFrom, int n, CdfTables tables, int[] out, int outFrom) {
        if (n < 0 || idxFrom < 0 || idxFrom > indexes.length - n || outFrom < 0 || outFrom > out.length - n) {
            throw new IndexOutOfBoundsException("decode range");
        }
        final byte[] b = stream;
        final int rows = tables.rows();
        int x = this.x, p = pos;
        for (int i = 0; i < n; i++) {
            int k = indexes[idxFrom + i];
            if (k < 0) {
                out[outFrom + i] = 0;
                continue;
            }
            if (k >= rows) throw new IllegalArgumentException("index " + k + " of symbol " + i + " is not a cdf row (0.." + (rows - 1) + ")");
            int cum = x & OneDcRans.MASK;
            int s = tables.symbolAt(k, cum);
            int start = tables.cdf(k, s);
            x = (tables.cdf(k, s + 1) - start) * (x >>> OneDcRans.PRECISION) + cum - start;
            while (x < OneDcRans.L) {
                if (p >= end) throw truncated(i);
                x = (x << 8) | (b[p++] & 0xFF);
            }
            int max = tables.length(k) - 2;
            long value = s;
            if (s == max) {
                int chunks = 0, c;
                do {
                    c = x & OneDcRans.BYPASS_MAX;
                    x >>>= OneDcRans.BYPASS_BITS;
                    if (x < OneDcRans.L) {
                        if (p >= end) throw truncated(i);
                        x = (x << 8) | (b[p++] & 0xFF);
                    }
                    chunks += c;
                    if (chunks > OneDcRans.MAX_CHUNKS) {
                        throw new CorruptStreamException("OneDC rANS stream: symbol " + (decoded + i) + " escape claims " + chunks + "+ chunks");
                    }
                } while (c == OneDcRans.BYPASS_MAX);
                int raw = 0;
                for (int j = 0; j < chunks; j++) {
                    raw |= (x & OneDcRans.BYPASS_MAX) << (OneDcRans.BYPASS_BITS * j);
                    x >>>= OneDcRans.BYPASS_BITS;
                    if (x < OneDcRans.L) {
                        if (p >= end) throw truncated(i);
                        x = (x << 8) | (b[p++] & 0xFF);
                    }
                }
                value = (raw & 1) != 0 ? -(long) (raw >>> 1) - 1 : (long) (raw >>> 1) + max;
            }
            long symbol = value + tables.offset(k);
            if (symbol < -OneDcRans.SYMBOL_LIMIT || symbol > OneDcRans.SYMBOL_LIMIT) {
                throw new CorruptStreamException("OneDC rANS stream: symbol " + (decoded + i) + " decodes to " + symbol
                        + ", outside the coder's +-" + OneDcRans.SYMBOL_LIMIT);
            }
            out[outFrom + i] = (int) symbol;
        }
        this.x = x;
        this.pos = p;
        this.decoded += n;
    }

    /**
     * Checks that the stream ended where the encoder's did: every byte consumed and the state back at 2^23.
     *
     * @throws CorruptStreamException otherwise (trailing bytes, or a stream decoded with other indexes/tables)
     */
    public void finish() {
        if (pos != end) throw new CorruptStreamException("OneDC rANS stream has " + (end - pos) + " bytes left after " + decoded + " symbols");
        if (x != OneDcRans.L) {
            throw new CorruptStreamException("OneDC rANS stream ends in state 0x" + Integer.toHexString(x) + ", not the initial 2^23");
        }
    }

    private CorruptStreamException truncated(int i) {
        return new CorruptStreamException("OneDC rANS stream ends early, at symbol " + (decoded + i));
    }
}
