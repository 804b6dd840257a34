package dev.sodec.codec.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/** Routes by path and method; unknown paths are 404, known paths with another method 405. */
final class Router {
    /** How a route is served. */
    enum Kind {
        /** Open (for the orchestrator) and cheap: answered on the event loop. */
        PROBE,
        /** Token-guarded, on a virtual thread, not queued. */
        API,
        /** Token-guarded, on a virtual thread, admitted through the bounded queue: the image work. */
        WORK
    }

    /** A matched route: its path (the metrics label), method, handler and kind. */
    record Route(String path, String method, Handler handler, Kind kind) {}

    private final Map<String, Route> routes = new LinkedHashMap<>();

    Router add(String method, String path, Handler handler, Kind kind) {
        routes.put(path, new Route(path, method, handler, kind));
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
