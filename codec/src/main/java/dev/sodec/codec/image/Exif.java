package dev.sodec.codec.image;

/**
 * Reads the one EXIF field the codec acts on, the orientation tag (0x0112) of IFD0, from an EXIF block in TIFF
 * structure ("II"/"MM" byte order, 42, the IFD0 offset). Every offset is bounds-checked: a damaged block reads as
 * orientation 1 (none), never as an exception.
 */
public final class Exif {
    private Exif() {}

    static final int TAG_ORIENTATION = 0x0112;
    private static final int TYPE_SHORT = 3;

    /** The orientation value (1..8 when valid), or 1 when the block has none or is damaged. */
    public static int orientation(byte[] tiff) {
        int at = orientationEntry(tiff);
        if (at < 0) return 1;
        int v = u16(tiff, at + 8, tiff[0] == 'I');
        return v >= 1 && v <= 8 ? v : 1;
    }

    /**
     * A copy of {@code tiff} whose orientation tag says 1 (upright), for an image that was turned upright on reading:
     * written back with the old value, viewers would turn it again. A block without a valid tag is returned as is.
     */
    public static byte[] upright(byte[] tiff) {
        byte[] out = tiff.clone();
        int at = orientationEntry(tiff);
        if (at >= 0) {
            boolean little = tiff[0] == 'I';
            out[at + 8] = (byte) (little ? 1 : 0);
            out[at + 9] = (byte) (little ? 0 : 1);
        }
        return out;
    }

    /** Offset of IFD0's orientation entry when it is one SHORT, else -1. */
    private static int orientationEntry(byte[] tiff) {
        if (tiff == null || tiff.length < 8) return -1;
        boolean little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
        else return -1;
        if (u16(tiff, 2, little) != 42) return -1;
        long ifd = u32(tiff, 4, little);
        if (ifd < 8 || ifd + 2 > tiff.length) return -1;
        int n = u16(tiff, (int) ifd, little);
        for (int i = 0; i < n; i++) {
            long e = ifd + 2 + 12L * i;
            if (e + 12 > tiff.length) return -1;
            int at = (int) e;
            if (u16(tiff, at, little) != TAG_ORIENTATION) continue;
            return u16(tiff, at + 2, little) == TYPE_SHORT && u32(tiff, at + 4, little) == 1 ? at : -1;
        }
        return -1;
    }

    static int u16(byte[] b, int at, boolean little) {
        int a = b[at] & 0xFF, c = b[at + 1] & 0xFF;
        return little ? a | c << 8 : a << 8 | c;
    }

    static long u32(byte[] b, int at, boolean little) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int k = little ? 3 - i : i;
            v = v << 8 | (b[at + k] & 0xFF);
        }
        return v;
    }
}
