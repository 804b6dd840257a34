package dev.sodec.engine.json;

import dev.sodec.engine.io.OneLine;

/** Malformed JSON; the message gives the offset. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(OneLine.of(message)); // untrusted input quoted in it stays one line
    }
}
