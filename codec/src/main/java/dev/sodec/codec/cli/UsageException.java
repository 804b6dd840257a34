package dev.sodec.codec.cli;

/** Wrong command-line arguments; the message says what is expected. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
