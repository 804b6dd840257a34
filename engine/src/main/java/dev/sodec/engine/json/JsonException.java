package dev.sodec.engine.json;

/** Malformed JSON; the message gives the offset. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message);
    }
}
