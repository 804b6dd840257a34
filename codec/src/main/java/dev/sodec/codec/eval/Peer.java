package dev.sodec.codec.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;

/** A conventional codec to compare with, at a matched size or at one of its own quality settings. */
public interface Peer {
    /** For reports: {@code JPEG (ImageIO)}, {@code WebP (cwebp -m 6)}. */
    String name();

    /**
     * The image coded with at least {@code bytes} bytes where the codec can reach them (the comparison never gives
     * the peer fewer bits than ours), as close above as its settings allow.
     */
    Coded atLeastBytes(BufferedImage img, long bytes) throws IOException;

    /** The image at the codec's own quality setting {@code quality} (0..100). */
    Coded atQuality(BufferedImage img, int quality) throws IOException;
}
