package dev.sodec.codec.serve;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Gathers a request's body up to the limit; a larger one (by its Content-Length, or as it streams in) is answered
 * 413 with the service's JSON error and the connection closed, without reading the rest.
 */
final class BodyLimit extends HttpObjectAggregator {
    private final ServeMetrics metrics;
    private final long max;

    BodyLimit(int maxBytes, ServeMetrics metrics) {
        super(maxBytes);
        this.max = maxBytes;
        this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        new Exchange(ctx, false, "other", System.nanoTime(), metrics)
                .answer(ApiResponse.error(413, "request body over the limit of " + max + " bytes"), true);
    }
}
