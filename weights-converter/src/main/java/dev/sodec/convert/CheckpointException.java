package dev.sodec.convert;

import dev.sodec.engine.io.OneLine;
import java.io.IOException;

/**
 * A checkpoint the converter cannot use: corrupt, truncated, unsafe, or not what the caller asked for. The message
 * starts with the file name and names the problem, so the CLI can print it as one line.
 */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(OneLine.of(message)); // untrusted input quoted in it stays one line
    }

    public CheckpointException(String message, Throwable cause) {
        super(OneLine.of(message), cause);
    }
}
