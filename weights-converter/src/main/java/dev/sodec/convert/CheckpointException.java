package dev.sodec.convert;

import java.io.IOException;

/**
 * A checkpoint the converter cannot use: corrupt, truncated, unsafe, or not what the caller asked for. The message
 * starts with the file name and names the problem, so the CLI can print it as one line.
 */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
