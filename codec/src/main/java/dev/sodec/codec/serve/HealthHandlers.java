package dev.sodec.codec.serve;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /healthz}: the process answers (liveness). {@code GET /readyz}: the models are loaded and warmed and
 * the server is not draining (readiness: a load balancer sends traffic only then).
 */
final class HealthHandlers {
    private HealthHandlers() {}

    static Handler live() {
        return r -> ApiResponse.json(200, Map.of("status", "ok"));
    }

    /** @param warmUpError why warm-up failed (the server then stays unready), or null */
    static Handler ready(BooleanSupplier warmed, BooleanSupplier draining, Supplier<String> warmUpError) {
        return r -> {
            if (draining.getAsBoolean()) return ApiResponse.json(503, Map.of("status", "draining"));
            String failed = warmUpError.get();
            if (failed != null) return ApiResponse.json(503, Map.of("status", "warm-up failed", "error", failed));
            if (!warmed.getAsBoolean()) return ApiResponse.json(503, Map.of("status", "warming up"));
            return ApiResponse.json(200, Map.of("status", "ready"));
        };
    }
}
