package dev.sodec.codec.serve;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The last handler of a connection's pipeline: hands each whole request to the {@link Dispatcher}, one at a time
 * per connection (a request pipelined behind one in progress is not served: the connection closes after the first
 * answer, so answers stay in order and a client cannot queue work on one connection), cancels the request's work
 * when the client disconnects (the connection keeps reading, so a close is seen at once), and closes a connection
 * idle between requests.
 */
final class ConnectionHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Dispatcher dispatcher;
    private final ServeMetrics metrics;
    private Exchange current;

    ConnectionHandler(Dispatcher dispatcher, ServeMetrics metrics) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        ReadTimeout timeout = ctx.pipeline().get(ReadTimeout.class);
        if (timeout != null) timeout.requestComplete();
        if (!req.decoderResult().isSuccess()) {
            new Exchange(ctx, false, "other", System.nanoTime(), metrics).answer(ApiResponse.error(400, "malformed HTTP request"), true);
            return;
        }
        if (current != null && !current.answered()) {
            current.closeAfterAnswer(); // a pipelined request: not served; the client sees the connection end
            return;
        }
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> h : req.headers()) headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        byte[] body = ByteBufUtil.getBytes(req.content());
        current = dispatcher.dispatch(ctx, req.method().name(), req.uri(), headers, body, HttpUtil.isKeepAlive(req));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Exchange ex = current;
        if (ex != null) ex.clientGone();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        // idle: close only between requests (a client waiting for a long decode sends nothing, legitimately)
        if (evt instanceof IdleStateEvent && (current == null || current.answered())) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset connection, a TLS client on the plain port ...: nothing to answer
    }
}
