package dev.sodec.codec.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Puts an ICC profile and an EXIF block into encoded image files, the inverse of {@link MetadataReader}: PNG
 * {@code iCCP} (zlib-compressed, profile name "ICC Profile") and {@code eXIf} chunks right after {@code IHDR}; JPEG
 * APP1 {@code Exif} and APP2 {@code ICC_PROFILE} segments (split into 65519-byte parts, numbered) after the JFIF
 * APP0 segment, or after SOI when there is none. Works on the bytes of files this codebase's encoders just wrote.
 */
public final class MetadataWriter {
    private MetadataWriter() {}

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
    private static final byte[] ICC_ID = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] EXIF_ID = {'E', 'x', 'i', 'f', 0, 0};
    /** A JPEG segment holds at most 65533 bytes after its length; the ICC part header takes 14 of them. */
    static final int ICC_PART = 65533 - 14;
    /** EXIF blocks larger than one APP1 segment cannot be written to a JPEG. */
    static final int MAX_JPEG_EXIF = 65533 - 6;

    /** {@code png} with {@code m}'s profile and EXIF block inserted after IHDR. */
    public static byte[] png(byte[] png, ImageMetadata m) {
        if (m.isEmpty()) return png;
        if (png.length < 33 || !Arrays.equals(png, 0, 8, PNG_SIGNATURE, 0, 8)) throw new IllegalArgumentException("not a PNG file");
        int ihdrEnd = 8 + 8 + 13 + 4; // signature, IHDR length and type, its 13 bytes, CRC
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 1024);
        out.write(png, 0, ihdrEnd);
        byte[] icc = m.icc(), exif = m.exif();
        if (icc != null) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("ICC Profile".getBytes(StandardCharsets.ISO_8859_1));
            body.write(0); // name terminator
            body.write(0); // compression method: zlib
            body.writeBytes(deflate(icc));
            pngChunk(out, "iCCP", body.toByteArray());
        }
        if (exif != null) pngChunk(out, "eXIf", exif);
        out.write(png, ihdrEnd, png.length - ihdrEnd);
        return out.toByteArray();
    }

    private static void pngChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        writeInt(out, data.length);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        writeInt(out, (int) crc.getValue());
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /**
     * {@code jpeg} with {@code m}'s EXIF block (APP1) and profile (APP2) inserted after SOI and any APP0.
     *
     * @throws IllegalArgumentException when the EXIF block does not fit one segment (64 KiB)
     */
    public static byte[] jpeg(byte[] jpeg, ImageMetadata m) {
        if (m.isEmpty()) return jpeg;
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) throw new IllegalArgumentException("not a JPEG file");
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) at = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + 1024);
        out.write(jpeg, 0, at);
        byte[] icc = m.icc(), exif = m.exif();
        if (exif != null) {
            if (exif.length > MAX_JPEG_EXIF) {
                throw new IllegalArgumentException("the EXIF block of " + exif.length + " bytes does not fit a JPEG APP1 segment"
                        + " (write PNG instead, or compress with --strip-metadata)");
            }
            segment(out, 0xE1, EXIF_ID, exif, 0, exif.length);
        }
        if (icc != null) {
            int parts = (icc.length + ICC_PART - 1) / ICC_PART;
            if (parts > 255) throw new IllegalArgumentException("an ICC profile of " + icc.length + " bytes does not fit 255 JPEG segments");
            for (int i = 0; i < parts; i++) {
                byte[] head = Arrays.copyOf(ICC_ID, ICC_ID.length + 2);
                head[ICC_ID.length] = (byte) (i + 1);
                head[ICC_ID.length + 1] = (byte) parts;
                int from = i * ICC_PART;
                segment(out, 0xE2, head, icc, from, Math.min(icc.length, from + ICC_PART) - from);
            }
        }
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    /**
     * {@code jpeg} without its APP2 {@code ICC_PROFILE} segments (those before the first scan), so that a reader that
     * applies the profile returns the file's own values; other bytes unchanged. Bytes that are not a well-formed JPEG
     * header are returned as they are (the image reader then says what is wrong).
     */
    public static byte[] jpegWithoutIcc(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) return jpeg;
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int i = 2;
        while (i + 3 < jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9 || marker == 0xFF || (marker >= 0xD0 && marker <= 0xD8) || marker == 0x01) break;
            int end = i + 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
            if (end > jpeg.length || end < i + 4) return jpeg;
            boolean icc = marker == 0xE2 && end - (i + 4) >= ICC_ID.length
                    && Arrays.equals(jpeg, i + 4, i + 4 + ICC_ID.length, ICC_ID, 0, ICC_ID.length);
            if (!icc) out.write(jpeg, i, end - i);
            i = end;
        }
        out.write(jpeg, i, jpeg.length - i);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] head, byte[] data, int from, int len) {
        int total = 2 + head.length + len;
        out.write(0xFF);
        out.write(marker);
        out.write(total >>> 8);
        out.write(total);
        out.writeBytes(head);
        out.write(data, from, len);
    }
}
