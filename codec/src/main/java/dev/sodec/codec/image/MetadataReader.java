package dev.sodec.codec.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Finds the ICC profile and the EXIF block in a JPEG (APP2 {@code ICC_PROFILE} segments, APP1 {@code Exif}) or a
 * PNG ({@code iCCP}, {@code eXIf}) file. A damaged or unexpected structure ends the search with what was found so
 * far: metadata never makes an image unreadable.
 */
public final class MetadataReader {
    private MetadataReader() {}

    /** ICC profiles larger than this are ignored (real ones are a few KiB to a few MiB). */
    static final int MAX_ICC_BYTES = 16 << 20;
    private static final byte[] EXIF_ID = {'E', 'x', 'i', 'f', 0, 0};
    private static final byte[] ICC_ID = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};

    /** The metadata of a JPEG or PNG file; {@link ImageMetadata#NONE} for other formats. */
    public static ImageMetadata read(byte[] file) {
        if (file.length >= 3 && (file[0] & 0xFF) == 0xFF && (file[1] & 0xFF) == 0xD8) return jpeg(file);
        if (file.length >= 8 && Arrays.equals(file, 0, 8, PNG_SIGNATURE, 0, 8)) return png(file);
        return ImageMetadata.NONE;
    }

    static ImageMetadata jpeg(byte[] b) {
        byte[] exif = null;
        TreeMap<Integer, byte[]> iccChunks = new TreeMap<>();
        int iccCount = -1;
        int i = 2;
        while (i + 1 < b.length) {
            if ((b[i] & 0xFF) != 0xFF) break;
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9 || i + 3 >= b.length) break; // scan data or end: no more headers
            int len = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
            int start = i + 4, end = i + 2 + len;
            if (len < 2 || end > b.length) break;
            if (marker == 0xE1 && exif == null && startsWith(b, start, end, EXIF_ID)) {
                exif = Arrays.copyOfRange(b, start + EXIF_ID.length, end);
            } else if (marker == 0xE2 && startsWith(b, start, end, ICC_ID) && end - start >= ICC_ID.length + 2) {
                int seq = b[start + ICC_ID.length] & 0xFF, count = b[start + ICC_ID.length + 1] & 0xFF;
                if (iccCount < 0) iccCount = count;
                if (count == iccCount && seq >= 1 && seq <= count) {
                    iccChunks.put(seq, Arrays.copyOfRange(b, start + ICC_ID.length + 2, end));
                }
            }
            i = end;
        }
        byte[] icc = null;
        if (iccCount > 0 && iccChunks.size() == iccCount) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] c : iccChunks.values()) all.writeBytes(c);
            icc = all.toByteArray();
        }
        return new ImageMetadata(icc, exif);
    }

    static ImageMetadata png(byte[] b) {
        byte[] exif = null, icc = null;
        long i = 8;
        while (i + 8 <= b.length) {
            long len = (b[(int) i] & 0xFFL) << 24 | (b[(int) i + 1] & 0xFF) << 16 | (b[(int) i + 2] & 0xFF) << 8 | (b[(int) i + 3] & 0xFF);
            String type = new String(b, (int) i + 4, 4, StandardCharsets.ISO_8859_1);
            long start = i + 8, end = start + len;
            if (end + 4 > b.length) break;
            if (type.equals("IEND")) break;
            if (type.equals("eXIf") && exif == null) {
                exif = Arrays.copyOfRange(b, (int) start, (int) end);
            } else if (type.equals("iCCP") && icc == null) {
                icc = iccp(b, (int) start, (int) end);
            }
            i = end + 4; // CRC
        }
        return new ImageMetadata(icc, exif);
    }

    /** iCCP: profile name (1-79 bytes), NUL, compression method 0, zlib data. */
    private static byte[] iccp(byte[] b, int start, int end) {
        int nul = start;
        while (nul < end && nul - start < 80 && b[nul] != 0) nul++;
        if (nul >= end - 2 || b[nul] != 0 || b[nul + 1] != 0) return null;
        Inflater inf = new Inflater();
        try {
            inf.setInput(b, nul + 2, end - nul - 2);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) return null;
                out.write(buf, 0, n);
                if (out.size() > MAX_ICC_BYTES) return null;
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inf.end();
        }
    }

    private static boolean startsWith(byte[] b, int start, int end, byte[] prefix) {
        return end - start >= prefix.length && Arrays.equals(b, start, start + prefix.length, prefix, 0, prefix.length);
    }
}
