package dev.sodec.codec.image;

/** An image over the pixel limit or the largest side: well-formed, but more than this codec was told to take. */
public final class ImageTooLargeException extends ImageFormatException {
    public ImageTooLargeException(String message) {
        super(message);
    }
}
