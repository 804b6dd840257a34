package dev.sodec.codec.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Netpbm PPM (P3 ASCII, P6 binary) and PGM (P2, P5) images, maxval 1..65535 (two big-endian bytes per sample above
 * 255), read to 8-bit RGB (gray replicated, samples scaled to 0..255 and rounded); PPM P6 8-bit written. The header's
 * size is checked against the pixel limit before any pixel memory is allocated.
 */
public final class Pnm {
    private Pnm() {}

    /** Whether the bytes start like a PGM or PPM file. */
    public static boolean isPnm(byte[] b) {
        return b.length >= 2 && b[0] == 'P' && (b[1] == '2' || b[1] == '3' || b[1] == '5' || b[1] == '6');
    }

    public static BufferedImage read(byte[] b, long maxPixels) {
        if (!isPnm(b)) throw new ImageFormatException("not a PPM or PGM image");
        char kind = (char) b[1];
        boolean color = kind == '3' || kind == '6', binary = kind == '5' || kind == '6';
        Cursor c = new Cursor(b, 2);
        int w = c.headerInt("width"), h = c.headerInt("height"), max = c.headerInt("maxval");
        if (max < 1 || max > 65535) throw new ImageFormatException("PPM/PGM maxval " + max + " is outside 1..65535");
        Pixels.checkSize(w, h, maxPixels);
        int channels = color ? 3 : 1;
        long samples = (long) w * h * channels;
        if (binary) {
            c.pos++; // exactly one whitespace byte after maxval
            int bytesPer = max > 255 ? 2 : 1;
            long need = samples * bytesPer;
            if (b.length - (long) c.pos < need) {
                throw new ImageFormatException("truncated PPM/PGM: " + (b.length - c.pos) + " bytes of pixel data, " + need + " needed");
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int[] px = new int[3];
        for (int i = 0; i < w * h; i++) {
            for (int ch = 0; ch < channels; ch++) {
                int v = binary ? c.binarySample(max > 255) : c.asciiSample();
                if (v > max) throw new ImageFormatException("PPM/PGM sample " + v + " exceeds maxval " + max);
                px[ch] = (int) ((v * 255L * 2 + max) / (2L * max)); // round(v * 255 / max)
            }
            dst[i] = color ? px[0] << 16 | px[1] << 8 | px[2] : px[0] * 0x010101;
        }
        return img;
    }

    /** A binary PPM (P6, maxval 255) of an image's RGB. */
    public static byte[] writePpm(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        ByteArrayOutputStream out = new ByteArrayOutputStream(3 * w * h + 32);
        out.writeBytes(("P6\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII));
        int[] row = new int[w];
        byte[] line = new byte[3 * w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                line[3 * x] = (byte) (row[x] >> 16);
                line[3 * x + 1] = (byte) (row[x] >> 8);
                line[3 * x + 2] = (byte) row[x];
            }
            out.write(line, 0, line.length);
        }
        return out.toByteArray();
    }

    private static final class Cursor {
        final byte[] b;
        int pos;

        Cursor(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        /** Skips whitespace and # comments, then reads a decimal number. */
        int headerInt(String what) {
            skipSpace(true);
            return number(what);
        }

        int asciiSample() {
            skipSpace(false);
            return number("sample");
        }

        int binarySample(boolean two) {
            int v = b[pos++] & 0xFF;
            if (two) v = v << 8 | (b[pos++] & 0xFF);
            return v;
        }

        private void skipSpace(boolean comments) {
            while (pos < b.length) {
                int ch = b[pos];
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == 0x0B || ch == 0x0C) pos++;
                else if (comments && ch == '#') while (pos < b.length && b[pos] != '\n' && b[pos] != '\r') pos++;
                else break;
            }
        }

        private int number(String what) {
            if (pos >= b.length) throw new ImageFormatException("truncated PPM/PGM: " + what + " missing");
            long v = 0;
            int start = pos;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                v = v * 10 + (b[pos++] - '0');
                if (v > Integer.MAX_VALUE) throw new ImageFormatException("PPM/PGM " + what + " is too large");
            }
            if (pos == start) throw new ImageFormatException("malformed PPM/PGM: expected the " + what + " at byte " + start);
            return (int) v;
        }
    }
}
