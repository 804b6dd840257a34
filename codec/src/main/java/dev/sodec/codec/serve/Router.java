package dev.sodec.codec.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/** Routes by path and method; unknown paths are 404, known paths with another method 405. */
final class Router {
    /** A matched route: its path (the metrics label) and handler. */
    record Route(String path, String method, Handler handler, boolean authenticated) {}

    private final Map<String, Route> routes = new LinkedHashMap<>();

    Router add(String method, String path, Handler handler, boolean authenticated) {
        routes.put(path, new Route(path, method, handler, authenticated));
        return this;
    }

    /** The route of {@code path}, or null (404). */
    Route find(String path) {
        return routes.get(path);
    }

    /** The metrics label for a path: itself when routed, else "other" (unknown paths must not grow the label set). */
    String label(String path) {
        return routes.containsKey(path) ? path : "other";
    }
}
