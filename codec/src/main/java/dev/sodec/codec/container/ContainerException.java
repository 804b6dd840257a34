package dev.sodec.codec.container;

/** A byte string that is not a valid container for this build: the message names what is wrong. */
public final class ContainerException extends RuntimeException {
    public ContainerException(String message) {
        super(message);
    }
}
