package dev.sodec.codec.entropy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Constants of the bitstream shared by {@link RansEncoder} and {@link RansDecoder}: CompressAI 1.2.4's 64-bit rANS
 * (ryg_rans rans64) with 16-bit probabilities, 32-bit little-endian words, and escape values sent as 4-bit bypass
 * nibbles.
 */
final class Rans {
    private Rans() {}

    /** Lower bound of the normalised state interval [L, L << 32). */
    static final long L = 1L << 31;
    static final int PRECISION = QuantizedCdf.PRECISION;
    static final int MASK = (1 << PRECISION) - 1;
    /** Encoder renormalises before putting a symbol of frequency f when x >= f << FREQ_SHIFT. */
    static final int FREQ_SHIFT = 32 + 31 - PRECISION;
    static final int BYPASS_BITS = 4;
    static final int BYPASS_MAX = (1 << BYPASS_BITS) - 1;
    /** Renormalisation bound for a bypass nibble: ((L >> 16) << 32) * 2^(16 - 4). */
    static final long BYPASS_X_MAX = ((L >>> 16) << 32) << (PRECISION - BYPASS_BITS);
    /**
     * Escape payloads must stay below 2^28 (at most 7 nibbles): for larger payloads CompressAI's nibble count loop
     * shifts a 32-bit value by 32 or more (undefined behaviour in C++; on x86 it never terminates), so only smaller
     * escapes are interchangeable.
     */
    static final int MAX_ESCAPE = 1 << 28;
    /** Nibble count of a 32-bit payload; a stream claiming more is corrupt. */
    static final int MAX_DECODE_NIBBLES = 8;

    static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
}
