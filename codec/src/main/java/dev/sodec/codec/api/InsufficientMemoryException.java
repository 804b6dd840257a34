package dev.sodec.codec.api;

import dev.sodec.engine.io.OneLine;

/**
 * Thrown before a compress or decode starts when the JVM's heap or direct-memory limit cannot hold what it needs;
 * the message names the need, the limit and the setting that raises it.
 */
public final class InsufficientMemoryException extends RuntimeException {
    public InsufficientMemoryException(String message) {
        super(OneLine.of(message));
    }
}
