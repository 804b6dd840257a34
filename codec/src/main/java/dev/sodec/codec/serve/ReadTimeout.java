package dev.sodec.codec.serve;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A request must arrive whole within the read timeout, counted from its first byte: a client that trickles its head
 * or body (slowloris) is answered 408 and disconnected instead of holding a connection forever (an idle timer alone
 * is reset by every byte). Sits before the HTTP decoder; {@link ConnectionHandler} calls {@link #requestComplete}.
 */
final class ReadTimeout extends ChannelInboundHandlerAdapter {
    private final long millis;
    private final ServeMetrics metrics;
    private ScheduledFuture<?> timer;

    ReadTimeout(long millis, ServeMetrics metrics) {
        this.millis = millis;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> new Exchange(ctx, false, "other", System.nanoTime(), metrics)
                    .answer(ApiResponse.error(408, "request not received whole within " + millis + " ms"), true), millis, TimeUnit.MILLISECONDS);
        }
        super.channelRead(ctx, msg);
    }

    /** The request being read is whole (called on the event loop). */
    void requestComplete() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        requestComplete();
        super.channelInactive(ctx);
    }
}
