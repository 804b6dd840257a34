package dev.sodec.codec.onedc.format;

import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.onedc.fsq.ZPacking;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * OneDC's own file layout ({@code .bin}; entropy/utils.py encode_i / decode_i), read and written byte for byte:
 *
 * <pre>
 * off        size   field
 * 0          4      original height, u32 big-endian
 * 4          4      original width,  u32 big-endian
 * 8          4      y_len, u32 big-endian
 * 12         4      caption_len, u32 big-endian (OneDC writes 0)
 * 16         y_len  y stream (flag byte 0x01, 4-byte little-endian rANS state, rANS bytes)
 * 16+y_len   z_len  z stream: ceil(14 n / 8) bytes, n = (padH / 64)(padW / 64); its length is not stored
 * ..         caption_len  caption (UTF-8)
 * </pre>
 *
 * The z-only variant (no y stream: y_hat is the prior's means) is this layout with {@code y_len = 0}; OneDC itself
 * writes no file for it. Reading is strict: sizes are bounded before anything is copied and the data must end
 * exactly after the caption.
 *
 * @param geometry the original image size
 * @param yStream the y stream; empty for the z-only variant
 * @param zStream the packed FSQ indices
 * @param caption the caption bytes (empty in every file OneDC writes; ignored when decoding)
 */
public record OneDcFile(OneDcGeometry geometry, byte[] yStream, byte[] zStream, byte[] caption) {
    /** Bytes before the y stream. */
    public static final int HEADER_BYTES = 16;

    public OneDcFile {
        int zLen = ZPacking.bytesFor(geometry.zCount(), ZPacking.ONEDC_BITS);
        if (zStream.length != zLen) {
            throw new IllegalArgumentException("z stream of " + zStream.length + " bytes for a " + geometry.width() + "x"
                    + geometry.height() + " image, which needs " + zLen);
        }
        yStream = yStream.clone();
        zStream = zStream.clone();
        caption = caption.clone();
    }

    public OneDcFile(OneDcGeometry geometry, byte[] yStream, byte[] zStream) {
        this(geometry, yStream, zStream, new byte[0]);
    }

    /** True for the z-only variant (no y stream). */
    public boolean zOnly() { return yStream.length == 0; }

    @Override
    public byte[] yStream() { return yStream.clone(); }

    @Override
    public byte[] zStream() { return zStream.clone(); }

    @Override
    public byte[] caption() { return caption.clone(); }

    /** encode_i: the file's bytes. */
    public byte[] encode() {
        long total = (long) HEADER_BYTES + yStream.length + zStream.length + caption.length;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("OneDC file of " + total + " bytes is too large");
        ByteBuffer b = ByteBuffer.allocate((int) total); // big-endian
        b.putInt(geometry.height()).putInt(geometry.width()).putInt(yStream.length).putInt(caption.length);
        b.put(yStream).put(zStream).put(caption);
        return b.array();
    }

    /**
     * decode_i with OneDC's 14-bit indices and 64-pixel padding.
     *
     * @throws ContainerException naming the defect (too short, impossible size, lengths that disagree with the data)
     */
    public static OneDcFile parse(byte[] data) {
        if (data == null) throw new ContainerException("no data");
        if (data.length < HEADER_BYTES) throw new ContainerException("truncated OneDC file: " + data.length + " bytes, the header alone is " + HEADER_BYTES);
        ByteBuffer b = ByteBuffer.wrap(data);
        long h = Integer.toUnsignedLong(b.getInt(0)), w = Integer.toUnsignedLong(b.getInt(4));
        long yLen = Integer.toUnsignedLong(b.getInt(8)), capLen = Integer.toUnsignedLong(b.getInt(12));
        if (h < 1 || w < 1 || h > OneDcGeometry.MAX_SIDE || w > OneDcGeometry.MAX_SIDE) {
            throw new ContainerException("not a OneDC file or corrupt header: image size " + w + "x" + h + " (1.." + OneDcGeometry.MAX_SIDE + " per side)");
        }
        OneDcGeometry g = new OneDcGeometry((int) h, (int) w);
        long zLen = ZPacking.bytesFor(g.zCount(), ZPacking.ONEDC_BITS);
        long expected = HEADER_BYTES + yLen + zLen + capLen;
        if (data.length < expected) {
            throw new ContainerException("truncated OneDC file: " + data.length + " bytes, header says " + expected
                    + " (y " + yLen + ", z " + zLen + ", caption " + capLen + ")");
        }
        if (data.length > expected) {
            throw new ContainerException("corrupt OneDC file: " + (data.length - expected) + " bytes after the end (" + expected + " expected)");
        }
        int y0 = HEADER_BYTES, z0 = y0 + (int) yLen, c0 = z0 + (int) zLen;
        return new OneDcFile(g, Arrays.copyOfRange(data, y0, z0), Arrays.copyOfRange(data, z0, c0),
                Arrays.copyOfRange(data, c0, data.length));
    }
}
