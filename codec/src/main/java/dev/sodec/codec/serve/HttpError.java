package dev.sodec.codec.serve;

import dev.sodec.engine.io.OneLine;
import java.util.Map;

/** A request answered with an error status and a one-line JSON message ({@link ApiResponse#error}). */
final class HttpError extends Exception {
    final int status;
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    final Map<String, String> headers;

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    HttpError(int status, String message, Map<String, String> headers) {
        super(OneLine.of(message), null, false, false);
        this.status = status;
        this.headers = headers;
    }
}
