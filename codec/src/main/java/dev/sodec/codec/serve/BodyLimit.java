package dev.sodec.codec.serve;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * Gathers a request's body up to the limit; a larger one (by its Content-Length, or as it streams in) is answered
 * 413 with the service's JSON error and the connection closed, without reading the rest. A request with {@code
 * Expect: 100-continue} gets the interim 100 when its body fits, else the 413; any other expectation is answered
 * 417. Both refusals are the service's JSON errors (Netty's own are empty) and close the connection, so the body the
 * client may still send is never read as a request of its own.
 */
final class BodyLimit extends HttpObjectAggregator {
    private final ServeMetrics metrics;
    private final long max;

    BodyLimit(int maxBytes, ServeMetrics metrics) {
        super(maxBytes, true);
        this.max = maxBytes;
        this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        new Exchange(ctx, false, "other", System.nanoTime(), metrics).answer(tooLarge(), true);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object netty = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(netty instanceof HttpResponse r) || r.status().code() < 400) return netty; // null or 100 Continue
        int status = r.status().code();
        ReferenceCountUtil.release(netty);
        ApiResponse answer = status == 413 ? tooLarge()
                : ApiResponse.error(status, "unsupported Expect header: only 100-continue is understood");
        metrics.request("other", status, 0);
        return Exchange.response(answer, false);
    }

    private ApiResponse tooLarge() {
        return ApiResponse.error(413, "request body over the limit of " + max + " bytes");
    }
}
