package dev.sodec.codec.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** Optional bearer-token authentication of the /v1 routes, compared in constant time. */
final class BearerToken {
    private final byte[] expected;

    /** @param token the token; null disables authentication */
    BearerToken(String token) {
        this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean enabled() {
        return expected != null;
    }

    /** Throws 401 unless {@code authorization} is {@code Bearer TOKEN} with the expected token. */
    void check(String authorization) throws HttpError {
        if (expected == null) return;
        Map<String, String> challenge = Map.of("WWW-Authenticate", "Bearer realm=\"sodec\"");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HttpError(401, "missing bearer token (Authorization: Bearer TOKEN)", challenge);
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) throw new HttpError(401, "wrong bearer token", challenge);
    }
}
