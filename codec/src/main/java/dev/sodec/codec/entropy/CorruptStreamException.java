package dev.sodec.codec.entropy;

import dev.sodec.engine.io.OneLine;

/**
 * An entropy-coded stream that cannot have been produced by the encoder for the given indexes and tables:
 * truncated, too long, bit-flipped or foreign. Thrown by the decoder instead of returning garbage or reading out
 * of bounds.
 */
public final class CorruptStreamException extends RuntimeException {
    public CorruptStreamException(String message) {
        super(OneLine.of(message)); // untrusted input quoted in it stays one line
    }
}
