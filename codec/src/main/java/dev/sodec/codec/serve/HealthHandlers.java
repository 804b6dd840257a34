package dev.sodec.codec.serve;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz}: the process answers (liveness). {@code GET /readyz}: the models are loaded and warmed and
 * the server is not draining (readiness: a load balancer sends traffic only then).
 */
final class HealthHandlers {
    private HealthHandlers() {}

    static Handler live() {
        return r -> ApiResponse.json(200, Map.of("status", "ok"));
    }

    static Handler ready(BooleanSupplier warmed, BooleanSupplier draining) {
        return r -> {
            if (draining.getAsBoolean()) return ApiResponse.json(503, Map.of("status", "draining"));
            if (!warmed.getAsBoolean()) return ApiResponse.json(503, Map.of("status", "warming up"));
            return ApiResponse.json(200, Map.of("status", "ready"));
        };
    }
}
