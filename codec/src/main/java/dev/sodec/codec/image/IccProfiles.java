package dev.sodec.codec.image;

import java.nio.charset.StandardCharsets;

/** Reads the name of an ICC profile (its {@code desc} tag, ICC v2 {@code desc} or v4 {@code mluc}) for messages. */
public final class IccProfiles {
    private IccProfiles() {}

    private static final int HEADER = 128;
    private static final int MAX_NAME = 200;

    /** The profile's description, or null when it has none or the structure is damaged. */
    public static String description(byte[] icc) {
        if (icc == null || icc.length < HEADER + 4) return null;
        long count = u32(icc, HEADER);
        for (long i = 0; i < count && i < 1024; i++) {
            long e = HEADER + 4 + 12 * i;
            if (e + 12 > icc.length) return null;
            if (!tag(icc, (int) e, "desc")) continue;
            long off = u32(icc, (int) e + 4), size = u32(icc, (int) e + 8);
            if (off + size > icc.length || size < 12) return null;
            int at = (int) off;
            if (tag(icc, at, "desc")) {
                long len = u32(icc, at + 8);
                if (len < 1 || 12 + len > size) return null;
                return trim(new String(icc, at + 12, (int) Math.min(len - 1, MAX_NAME), StandardCharsets.ISO_8859_1));
            }
            if (tag(icc, at, "mluc") && size >= 28) {
                long recLen = u32(icc, at + 20), recOff = u32(icc, at + 24);
                if (recOff + recLen > size || recLen % 2 != 0) return null;
                return trim(new String(icc, at + (int) recOff, (int) Math.min(recLen, 2 * MAX_NAME), StandardCharsets.UTF_16BE));
            }
            return null;
        }
        return null;
    }

    private static String trim(String s) {
        String t = s.replace("\0", "").strip();
        return t.isEmpty() ? null : t;
    }

    private static boolean tag(byte[] b, int at, String sig) {
        return at + 4 <= b.length && new String(b, at, 4, StandardCharsets.ISO_8859_1).equals(sig);
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
    }
}
