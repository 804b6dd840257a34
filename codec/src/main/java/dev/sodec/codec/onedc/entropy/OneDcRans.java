package dev.sodec.codec.onedc.entropy;

/**
 * Constants of OneDC's bitstream (its {@code MLCodec_rans}: ryg's byte-wise {@code rans_byte} with CompressAI-style
 * escapes), shared by {@link OneDcRansEncoder} and {@link OneDcRansDecoder}. Not CompressAI's coder: the state is
 * 32-bit in [2^23, 2^31), bytes are emitted one at a time, escapes use 2-bit bypass chunks, and the stream starts with
 * a flag byte.
 */
final class OneDcRans {
    private OneDcRans() {}

    /** Lower bound of the normalised state interval [L, 2^31). */
    static final int L = 1 << 23;
    static final int PRECISION = 16;
    static final int MASK = (1 << PRECISION) - 1;
    /** The encoder emits bytes before putting a symbol of frequency f while x >= f << FREQ_SHIFT. */
    static final int FREQ_SHIFT = 15;
    static final int BYPASS_BITS = 2;
    static final int BYPASS_MAX = (1 << BYPASS_BITS) - 1;
    /** Renormalisation bound for a bypass chunk: a chunk is a symbol of frequency 2^(16 - 2), so 2^14 << 15. */
    static final int BYPASS_X_MAX = 1 << (PRECISION - BYPASS_BITS + FREQ_SHIFT);
    /**
     * The stream's first byte: {@code ((parts - 1) << 4) | 1} with one part (OneDC always codes one). Streams of
     * several parts (size fields after the flag) are not produced by OneDC and are refused.
     */
    static final int FLAG = 0x01;
    /** Flag byte + 4-byte little-endian final state. */
    static final int HEADER_BYTES = 5;
    /** OneDC clamps every symbol to this magnitude before coding (and stores it as int16). */
    static final int SYMBOL_LIMIT = 30000;
    /**
     * Most 2-bit chunks an escape payload may take. The reference counts chunks with {@code raw >> (2n)} on a 32-bit
     * value, which never terminates once 2n reaches 32, so only payloads below 2^30 (15 chunks) are codable there.
     */
    static final int MAX_CHUNKS = 15;
}
