package dev.sodec.codec.serve;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request on one connection, from its arrival to its single answer. Whoever answers first wins (the handler,
 * the deadline, a disconnect); the others find it answered. After the answer the connection serves its next
 * request, or closes.
 */
final class Exchange {
    /** The metrics status of a request whose client left before its answer (nginx's convention). */
    static final int CLIENT_CLOSED = 499;

    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;
    private final String route;
    private final long startNanos;
    private final ServeMetrics metrics;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile Thread worker;
    private volatile ScheduledFuture<?> deadline;
    private volatile boolean closeAfter;

    Exchange(ChannelHandlerContext ctx, boolean keepAlive, String route, long startNanos, ServeMetrics metrics) {
        this.ctx = ctx;
        this.keepAlive = keepAlive;
        this.route = route;
        this.startNanos = startNanos;
        this.metrics = metrics;
    }

    void worker(Thread t) {
        worker = t;
    }

    void deadline(ScheduledFuture<?> d) {
        deadline = d;
    }

    /** Ends the connection after the answer (a client pipelined a request behind this one). */
    void closeAfterAnswer() {
        closeAfter = true;
    }

    boolean answered() {
        return answered.get();
    }

    /** Sends {@code r} unless already answered; {@code close} ends the connection after it. */
    void answer(ApiResponse r, boolean close) {
        if (!answered.compareAndSet(false, true)) return;
        ScheduledFuture<?> d = deadline;
        if (d != null) d.cancel(false);
        metrics.request(route, r.status(), System.nanoTime() - startNanos);
        boolean keep = keepAlive && !close && !closeAfter;
        FullHttpResponse resp = response(r, keep);
        // from the channel, not ctx: the read timeout sits before the HTTP encoder
        ctx.channel().writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) ctx.close();
            else if (!keep) LingeringClose.close(ctx.channel());
        });
    }

    /** {@code r} as Netty's response, with Content-Length and Connection ({@code keep}: keep-alive, else close). */
    static FullHttpResponse response(ApiResponse r, boolean keep) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        for (Map.Entry<String, String> h : r.headers().entrySet()) resp.headers().set(h.getKey(), h.getValue());
        resp.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return resp;
    }

    /** The client left: the work is interrupted (it gives up waiting for a slot or a batch; nothing is sent). */
    void clientGone() {
        if (!answered.compareAndSet(false, true)) return;
        ScheduledFuture<?> d = deadline;
        if (d != null) d.cancel(false);
        metrics.request(route, CLIENT_CLOSED, System.nanoTime() - startNanos);
        Thread t = worker;
        if (t != null) t.interrupt();
    }

    /** The deadline passed: 504 now, and the work is interrupted. */
    void expire(long millis) {
        if (answered.get()) return;
        answer(ApiResponse.error(504, "deadline of " + millis + " ms exceeded"), false);
        Thread t = worker;
        if (t != null) t.interrupt();
    }
}
