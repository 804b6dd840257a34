package dev.sodec.codec.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A whole HTTP request as the handlers see it (no Netty types): method, path, query parameters, headers by
 * lower-case name, the body.
 */
record ApiRequest(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
    /** Splits {@code uri} into path and query ({@code a=1&b=2}, percent-decoded; a repeated name keeps the last). */
    static ApiRequest of(String method, String uri, Map<String, String> headers, byte[] body) throws HttpError {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        Map<String, String> params = new HashMap<>();
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                try {
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    params.put(k, v);
                } catch (IllegalArgumentException e) {
                    throw new HttpError(400, "malformed query string");
                }
            }
        }
        return new ApiRequest(method, path, params, headers, body);
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
