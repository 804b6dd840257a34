package dev.sodec.codec.image;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.color.ICC_ProfileRGB;
import java.nio.charset.StandardCharsets;

/**
 * Reads the name of an ICC profile (its {@code desc} tag, ICC v2 {@code desc} or v4 {@code mluc}) for messages, and
 * tells an sRGB profile from others.
 */
public final class IccProfiles {
    private IccProfiles() {}

    /** Colorants within this of sRGB's (D50-adapted XYZ), curves within this of sRGB's transfer function. */
    private static final double MATRIX_TOLERANCE = 2e-3, CURVE_TOLERANCE = 4e-3;
    private static final int CURVE_SAMPLES = 64;

    /**
     * Whether {@code icc} describes sRGB: an RGB matrix/TRC profile with sRGB's colorants and tone curves, whatever
     * its name ("linear sRGB" has sRGB's colorants but a linear curve, so it is not). Such a profile says nothing a
     * decoder does not assume (decoded images are sRGB), so it need not be stored: the common 3 KB sRGB profile
     * would otherwise outweigh a low-rate file. Profiles it cannot read (LUT-based, damaged, parametric curves Java
     * 2D does not expose) are not sRGB here, so they are kept.
     */
    public static boolean isSrgb(byte[] icc) {
        if (icc == null || icc.length < HEADER) return false;
        try {
            if (!(ICC_Profile.getInstance(icc) instanceof ICC_ProfileRGB rgb)) return false;
            float[][] m = rgb.getMatrix(), srgb = SrgbColorants.MATRIX;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) if (Math.abs(m[i][j] - srgb[i][j]) > MATRIX_TOLERANCE) return false;
            }
            for (int c = ICC_ProfileRGB.REDCOMPONENT; c <= ICC_ProfileRGB.BLUECOMPONENT; c++) {
                if (!followsSrgbCurve(rgb, c)) return false;
            }
            return true;
        } catch (RuntimeException e) { // IllegalArgumentException, ProfileDataException: not a profile we can judge
            return false;
        }
    }

    /** The JDK's sRGB colorants, read once (on first use: most images carry no profile). */
    private static final class SrgbColorants {
        static final float[][] MATRIX = ((ICC_ProfileRGB) ICC_Profile.getInstance(ColorSpace.CS_sRGB)).getMatrix();
    }

    private static boolean followsSrgbCurve(ICC_ProfileRGB p, int component) {
        short[] table = null;
        float gamma = 0;
        try {
            gamma = p.getGamma(component);
        } catch (RuntimeException e) {
            table = p.getTRC(component);
        }
        if (table != null && table.length < 2) return false;
        for (int i = 0; i <= CURVE_SAMPLES; i++) {
            double x = i / (double) CURVE_SAMPLES, y;
            if (table == null) {
                y = Math.pow(x, gamma);
            } else {
                double at = x * (table.length - 1);
                int k = Math.min((int) at, table.length - 2);
                double f = at - k;
                y = ((table[k] & 0xFFFF) * (1 - f) + (table[k + 1] & 0xFFFF) * f) / 65535.0;
            }
            if (Math.abs(y - srgbToLinear(x)) > CURVE_TOLERANCE) return false;
        }
        return true;
    }

    private static double srgbToLinear(double v) {
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

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
