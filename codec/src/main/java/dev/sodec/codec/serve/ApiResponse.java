package dev.sodec.codec.serve;

import dev.sodec.engine.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response as the handlers make it: status, content type, body, extra headers. */
record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    static ApiResponse ok(String contentType, byte[] body) {
        return new ApiResponse(200, contentType, body, Map.of());
    }

    static ApiResponse ok(String contentType, byte[] body, Map<String, String> headers) {
        return new ApiResponse(200, contentType, body, headers);
    }

    static ApiResponse json(int status, Object value) {
        return new ApiResponse(status, JSON, Json.write(value).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** {@code {"error": "...", "status": N}}: the message is one line, never a stack trace. */
    static ApiResponse error(HttpError e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        body.put("status", e.status);
        ApiResponse r = json(e.status, body);
        return new ApiResponse(r.status, r.contentType, r.body, e.headers);
    }

    static ApiResponse error(int status, String message) {
        return error(new HttpError(status, message));
    }
}
