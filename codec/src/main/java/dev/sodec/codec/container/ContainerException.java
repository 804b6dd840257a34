package dev.sodec.codec.container;

import dev.sodec.engine.io.OneLine;

/** A byte string that is not a valid container for this build: the message names what is wrong. */
public final class ContainerException extends RuntimeException {
    public ContainerException(String message) {
        super(OneLine.of(message)); // untrusted input quoted in it stays one line
    }
}
