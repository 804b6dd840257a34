package dev.sodec.codec.serve;

import io.netty.channel.ChannelHandlerContext;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What every request goes through before its handler: routing (404/405), draining (503), authentication (401),
 * admission to the bounded queue (503 with Retry-After), then the handler on a virtual thread of its own under the
 * request's deadline (504). A handler's exception becomes its one-line JSON error ({@link Failures}).
 */
final class Dispatcher {
    private final Router router;
    private final BearerToken token;
    private final Admission admission;
    private final ServeMetrics metrics;
    private final long deadlineMillis;
    private final BooleanSupplier draining;
    private final ThreadFactory requestThreads;

    /** @param requestThreads makes each /v1 request's thread (a virtual thread in the server; see SodecServer) */
    Dispatcher(Router router, BearerToken token, Admission admission, ServeMetrics metrics, long deadlineMillis, BooleanSupplier draining,
               ThreadFactory requestThreads) {
        this.router = router;
        this.token = token;
        this.admission = admission;
        this.metrics = metrics;
        this.deadlineMillis = deadlineMillis;
        this.draining = draining;
        this.requestThreads = requestThreads;
    }

    /** Starts a request; returns its exchange (already answered when refused). */
    Exchange dispatch(ChannelHandlerContext ctx, String method, String uri, Map<String, String> headers, byte[] body, boolean keepAlive) {
        long start = System.nanoTime();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        Exchange ex = new Exchange(ctx, keepAlive, router.label(path), start, metrics);
        Router.Route route = router.find(path);
        try {
            if (route == null) throw new HttpError(404, "no such endpoint: " + path);
            if (!route.method().equals(method)) {
                throw new HttpError(405, route.path() + " takes " + route.method() + ", not " + method, Map.of("Allow", route.method()));
            }
            if (route.kind() != Router.Kind.PROBE) token.check(headers.get("authorization"));
            if (route.kind() == Router.Kind.WORK && draining.getAsBoolean()) {
                throw new HttpError(503, "shutting down", Map.of("Retry-After", "1"));
            }
            ApiRequest request = ApiRequest.of(method, uri, headers, body);
            if (route.kind() == Router.Kind.PROBE) {
                // cheap: answered on the event loop, so probes answer even while every carrier thread of the
                // virtual threads is busy with image work
                ex.answer(route.handler().handle(request), false);
                return ex;
            }
            boolean queued = route.kind() == Router.Kind.WORK;
            if (queued && !admission.tryEnter()) {
                throw new HttpError(503, "server busy: the request queue is full", Map.of("Retry-After", "1"));
            }
            Thread t = requestThreads.newThread(() -> {
                ApiResponse r;
                try {
                    r = route.handler().handle(request);
                } catch (Throwable e) {
                    r = ApiResponse.error(Failures.toHttp(e));
                }
                try {
                    ex.answer(r, false);
                } finally {
                    // after the answer is queued on the channel: a draining shutdown closes connections only then
                    if (queued) admission.leave();
                }
            });
            if (t == null) throw new IllegalStateException("no thread for the request");
            ex.worker(t);
            try {
                ex.deadline(ctx.executor().schedule(() -> ex.expire(deadlineMillis), deadlineMillis, TimeUnit.MILLISECONDS));
                t.start();
            } catch (RuntimeException | Error e) {
                if (queued) admission.leave(); // never started: its place in the queue is given back here
                throw e;
            }
        } catch (HttpError e) {
            ex.answer(ApiResponse.error(e), e.status == 503 && draining.getAsBoolean());
        } catch (Exception | Error e) {
            ex.answer(ApiResponse.error(Failures.toHttp(e)), false);
        }
        return ex;
    }
}
