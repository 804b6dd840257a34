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
import javax.imageio.stream.ImageOutputStream;

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
        if (quality < 1 || quality > 100) throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) throw new IOException("no JPEG encoder in this JDK");
        ImageWriter w = it.next();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
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
        long pixels = (long) img.getWidth() * img.getHeight();
        int lo = 1, hi = 100;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (encode(img, mid).length * 8.0 / pixels >= minBpp) hi = mid;
            else lo = mid + 1;
        }
        int q = lo;
        for (int k = lo - 1; k >= Math.max(1, lo - 3); k--) {
            if (encode(img, k).length * 8.0 / pixels >= minBpp) q = k;
        }
        byte[] b = encode(img, q);
        BufferedImage dec = ImageIO.read(new ByteArrayInputStream(b));
        return new Encoded(q, b, dec);
    }

    private static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) return img;
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(img, 0, 0, null);
        return out;
    }
}
