package dev.sodec.codec.image;

/** An input image we cannot code faithfully (unknown format, grayscale, 16-bit, transparent, too large). */
public final class ImageFormatException extends RuntimeException {
    public ImageFormatException(String message) {
        super(message);
    }
}
