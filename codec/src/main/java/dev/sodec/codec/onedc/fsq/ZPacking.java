package dev.sodec.codec.onedc.fsq;

import dev.sodec.codec.entropy.CorruptStreamException;

/**
 * OneDC's fixed-length z stream: the n FSQ indices, each as a {@code bits}-bit string most significant bit first,
 * concatenated in raster order and written as ONE big-endian integer of ceil(n bits / 8) bytes. The
 * {@code 8 bytes - n bits} pad bits are therefore the LEADING bits of the first byte, and must be zero.
 */
public final class ZPacking {
    /** OneDC's index length (FSQ [4]*7: 4^7 = 2^14). */
    public static final int ONEDC_BITS = 14;

    private ZPacking() {}

    /** Bytes of the stream for n indices of {@code bits} bits. */
    public static int bytesFor(long n, int bits) {
        checkBits(bits);
        if (n < 1) throw new IllegalArgumentException("z stream of " + n + " indices");
        long bytes = (n * bits + 7) / 8;
        if (bytes > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("z stream of " + n + " indices is too large");
        return (int) bytes;
    }

    /** Packs indices (each in [0, 2^bits)). */
    public static byte[] pack(int[] indices, int bits) {
        byte[] out = new byte[bytesFor(indices.length, bits)];
        long bit = 8L * out.length - (long) indices.length * bits; // leading pad
        for (int i = 0; i < indices.length; i++) {
            int v = indices[i];
            if (v < 0 || (v >>> bits) != 0) throw new IllegalArgumentException("index " + v + " at " + i + " does not fit " + bits + " bits");
            for (int j = bits - 1; j >= 0; j--, bit++) {
                if (((v >>> j) & 1) != 0) out[(int) (bit >>> 3)] |= (byte) (0x80 >>> (int) (bit & 7));
            }
        }
        return out;
    }

    /**
     * Unpacks n indices.
     *
     * @throws CorruptStreamException if the stream is not exactly {@link #bytesFor} bytes or a pad bit is set
     */
    public static int[] unpack(byte[] stream, int n, int bits) {
        int len = bytesFor(n, bits);
        if (stream.length != len) {
            throw new CorruptStreamException("z stream of " + stream.length + " bytes, " + len + " expected for " + n + " indices of " + bits + " bits");
        }
        int pad = (int) (8L * len - (long) n * bits);
        if (pad > 0 && (stream[0] & 0xFF) >>> (8 - pad) != 0) {
            throw new CorruptStreamException("z stream: its " + pad + " leading pad bits are not zero");
        }
        int[] out = new int[n];
        long bit = pad;
        for (int i = 0; i < n; i++) {
            int v = 0;
            for (int j = 0; j < bits; j++, bit++) v = (v << 1) | ((stream[(int) (bit >>> 3)] >>> (7 - (int) (bit & 7))) & 1);
            out[i] = v;
        }
        return out;
    }

    private static void checkBits(int bits) {
        if (bits < 1 || bits > 30) throw new IllegalArgumentException("index length " + bits + " bits outside 1..30");
    }
}
