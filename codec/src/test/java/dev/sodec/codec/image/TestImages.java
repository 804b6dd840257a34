package dev.sodec.codec.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images and image files for tests. */
public final class TestImages {
    private TestImages() {}

    /** A 16-bit-per-channel RGB image, as ImageIO decodes 48-bit PNGs. */
    public static BufferedImage rgb16(int w, int h) {
        ColorSpace cs = ColorSpace.getInstance(ColorSpace.CS_sRGB);
        ComponentColorModel cm = new ComponentColorModel(cs, new int[] {16, 16, 16}, false, false, Transparency.OPAQUE,
                DataBuffer.TYPE_USHORT);
        return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }

    /** A deterministic colourful 8-bit RGB image. */
    public static BufferedImage pattern(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 37 & 255) << 16 | (y * 23 & 255) << 8 | (x * y & 255));
        return img;
    }

    /** A palette image of 4 colours, the last one fully transparent. */
    public static BufferedImage paletteWithTransparency(int w, int h) {
        byte[] r = {(byte) 255, 0, 0, 0}, g = {0, (byte) 255, 0, 0}, b = {0, 0, (byte) 255, 0}, a = {(byte) 255, (byte) 255, (byte) 255, 0};
        IndexColorModel cm = new IndexColorModel(2, 4, r, g, b, a);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, (x + y) % 4);
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", b)) throw new IOException("no PNG writer for " + img);
        return b.toByteArray();
    }

    static byte[] jpeg(BufferedImage img) throws IOException {
        return JpegReference.encode(img, 95);
    }

    /** A minimal EXIF block (TIFF structure) with one IFD0 entry: the orientation. */
    static byte[] exifWithOrientation(int orientation, boolean littleEndian) {
        byte[] t = new byte[8 + 2 + 12 + 4];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(t).order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        b.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M').putShort((short) 42).putInt(8);
        b.putShort((short) 1); // one entry
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0); // no next IFD
        return t;
    }

    /** A JPEG file with segments inserted right after SOI. */
    static byte[] jpegWithSegments(byte[] jpeg, byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (byte[] s : segments) out.writeBytes(s);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A JPEG marker segment: FF marker, length, payload. */
    static byte[] segment(int marker, byte[]... parts) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        for (byte[] x : parts) p.writeBytes(x);
        byte[] payload = p.toByteArray();
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.write(0xFF);
        s.write(marker);
        s.write((payload.length + 2) >> 8);
        s.write(payload.length + 2);
        s.writeBytes(payload);
        return s.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A PNG file with chunks inserted right after IHDR. */
    static byte[] pngWithChunks(byte[] png, byte[]... chunks) {
        int ihdrEnd = 8 + 8 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, ihdrEnd);
        for (byte[] c : chunks) out.writeBytes(c);
        out.write(png, ihdrEnd, png.length - ihdrEnd);
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(data.length);
        byte[] td = new byte[4 + data.length];
        System.arraycopy(ascii(type), 0, td, 0, 4);
        System.arraycopy(data, 0, td, 4, data.length);
        d.write(td);
        CRC32 crc = new CRC32();
        crc.update(td);
        d.writeInt((int) crc.getValue());
        return b.toByteArray();
    }
}
