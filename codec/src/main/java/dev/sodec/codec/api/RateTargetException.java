package dev.sodec.codec.api;

/** No quality level makes a file within the asked budget: even the lowest is larger. The message says by how much. */
public final class RateTargetException extends RuntimeException {
    public RateTargetException(String message) {
        super(message);
    }
}
