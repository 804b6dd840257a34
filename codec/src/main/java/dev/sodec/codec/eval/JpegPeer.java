package dev.sodec.codec.eval;

import dev.sodec.codec.image.JpegReference;
import java.awt.image.BufferedImage;
import java.io.IOException;

/** JPEG from the JDK's ImageIO encoder (baseline, 4:2:0), with the standard or optimized Huffman tables. */
public record JpegPeer(boolean optimizedHuffman) implements Peer {
    @Override
    public String name() {
        return optimizedHuffman ? "JPEG (ImageIO, optimized Huffman)" : "JPEG (ImageIO)";
    }

    @Override
    public Coded atLeastBytes(BufferedImage img, long bytes) throws IOException {
        double bpp = bytes * 8.0 / ((long) img.getWidth() * img.getHeight());
        return coded(JpegReference.atLeastBpp(img, bpp, optimizedHuffman));
    }

    @Override
    public Coded atQuality(BufferedImage img, int quality) throws IOException {
        return coded(JpegReference.at(img, Math.max(1, quality), optimizedHuffman));
    }

    private static Coded coded(JpegReference.Encoded e) {
        return new Coded("q=" + e.quality(), e.bytes().length, e.decoded());
    }
}
