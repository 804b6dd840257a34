package dev.sodec.codec.image;

import dev.sodec.engine.io.OneLine;

/** An input image we cannot code faithfully (unknown format, grayscale, 16-bit, transparent, too large). */
public class ImageFormatException extends RuntimeException {
    public ImageFormatException(String message) {
        super(OneLine.of(message)); // untrusted input quoted in it stays one line
    }
}
