package dev.sodec.codec.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * JPEG (the JDK's ImageIO encoder, baseline, 4:2:0) as the rate-matched reference for a learned codec: the lowest
 * quality whose file is at least a given number of bits per pixel, so the comparison never favours the learned codec
 * by giving JPEG fewer bits.
 */
public final class JpegReference {
    private JpegReference() {}

    /** A JPEG encoding: quality in [1, 100], the file bytes and the decoded image. */
    public record Encoded(int quality, byte[] bytes, BufferedImage decoded) {
        public double bpp() {
            return bytes.length * 8.0 / ((long) decoded.getWidth() * decoded.getHeight());
        }
    }

    public static byte[] encode(BufferedImage rgb, int quality) throws IOException {
        return encode(rgb, quality, false);
    }

    /**
     * A JPEG file at {@code quality} (1..100); {@code optimizeHuffman} writes Huffman tables fitted to this image
     * (smaller files at the same pixels, as libjpeg's {@code -optimize}) instead of the standard tables.
     */
    public static byte[] encode(BufferedImage rgb, int quality, boolean optimizeHuffman) throws IOException {
        if (quality < 1 || quality > 100) throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) throw new IOException("no JPEG encoder in this JDK");
        ImageWriter w = it.next();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bos)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
            if (optimizeHuffman) ((JPEGImageWriteParam) p).setOptimizeHuffmanTables(true);
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            w.write(null, new IIOImage(toRgb(rgb), null, null), p);
        } finally {
            w.dispose();
        }
        return bos.toByteArray();
    }

    /**
     * The lowest quality (1..100) whose file has at least {@code minBpp} bits per pixel; quality 100 when even that is
     * smaller. File size grows with quality almost everywhere, so a binary search is followed by a short linear check
     * downwards to catch the rare non-monotone step.
     */
    public static Encoded atLeastBpp(BufferedImage img, double minBpp) throws IOException {
        return atLeastBpp(img, minBpp, false);
    }

    /** As {@link #atLeastBpp(BufferedImage, double)}, with optimized Huffman tables when asked. */
    public static Encoded atLeastBpp(BufferedImage img, double minBpp, boolean optimizeHuffman) throws IOException {
        long pixels = (long) img.getWidth() * img.getHeight();
        int lo = 1, hi = 100;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (encode(img, mid, optimizeHuffman).length * 8.0 / pixels >= minBpp) hi = mid;
            else lo = mid + 1;
        }
        int q = lo;
        for (int k = lo - 1; k >= Math.max(1, lo - 3); k--) {
            if (encode(img, k, optimizeHuffman).length * 8.0 / pixels >= minBpp) q = k;
        }
        return at(img, q, optimizeHuffman);
    }

    /** The JPEG at one quality, with its decoded image. */
    public static Encoded at(BufferedImage img, int quality, boolean optimizeHuffman) throws IOException {
        byte[] b = encode(img, quality, optimizeHuffman);
        BufferedImage dec = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(b)));
        return new Encoded(quality, b, dec);
    }

    private static BufferedImage toRgb(BufferedImage img) {
        return RgbImages.toRgb8(img, RgbImages.WHITE);
    }
}
