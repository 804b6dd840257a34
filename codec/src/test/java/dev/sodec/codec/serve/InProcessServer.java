package dev.sodec.codec.serve;

import dev.sodec.codec.api.CodecOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SodecServer} without a socket: each {@link #serve} call is one connection, an {@link EmbeddedChannel}
 * carrying exactly the handlers a real connection gets ({@link SodecServer#initConnection}), fed raw request bytes.
 * Its /v1 requests' work runs inline on the caller's thread instead of on a virtual thread, so the embedded channel
 * (which has no event loop of its own and treats every thread as its own) is only ever touched by one thread.
 * An observer between the body aggregator and the last handler records the requests the server decoded, in order.
 */
public final class InProcessServer implements AutoCloseable {
    /** The bearer token the server requires on /v1. */
    public static final String TOKEN = "fuzz-token";

    /**
     * A request as the server's decoder saw it: method, URI, every Authorization header, decoded cleanly or not,
     * and whether the connection was still open (the decoder hands on a request cut off by the close, which
     * cannot be answered).
     */
    public record Seen(String method, String uri, List<String> authorization, boolean decoded, boolean whileOpen) {}

    /** What one connection wrote back (the raw bytes), the requests it decoded, and whether it ended closed. */
    public record Result(byte[] wire, List<Seen> requests, boolean closed) {}

    /**
     * A thread whose start() runs its work at once on the caller's thread: the request's answer is written before
     * the dispatcher returns, as a probe's is.
     */
    private static final ThreadFactory INLINE = r -> new Thread(r, "sodec-req-inline") {
        @Override
        public void start() {
            run();
        }
    };

    private final SodecServer server;
    private final ServeConfig config;

    private InProcessServer(SodecServer server, ServeConfig config) {
        this.server = server;
        this.config = config;
    }

    /** The shipped {@code low} model, one CPU thread, {@code maxPixels} per image, bodies up to {@code maxBody}, token required. */
    public static InProcessServer start(long maxPixels, int maxBody) throws IOException {
        CodecOptions opt = CodecOptions.defaults().withThreads(1).withMaxPixels(maxPixels);
        ServeConfig cfg = ServeConfig.defaults(opt).withModels(List.of("low")).withToken(TOKEN)
                .withLimits(4, maxBody, 30_000, 30_000).withBatching(1, 0);
        return new InProcessServer(SodecServer.unbound(cfg, INLINE), cfg);
    }

    /**
     * One connection: {@code bytes} arrive in one read, then time jumps past the read timeout and the idle timeout
     * (a partial request is answered 408, an idle connection closed), then the client closes. Exceptions the
     * pipeline let through are rethrown (EmbeddedChannel.checkException).
     */
    public Result serve(byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel();
        List<Seen> seen = new ArrayList<>();
        server.initConnection(ch);
        String last = ch.pipeline().context(ConnectionHandler.class).name();
        ch.pipeline().addBefore(last, "observer", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest r) {
                    seen.add(new Seen(r.method().name(), r.uri(), r.headers().getAll(HttpHeaderNames.AUTHORIZATION),
                            r.decoderResult().isSuccess(), ctx.channel().isActive()));
                }
                ctx.fireChannelRead(msg);
            }
        });
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            drain(ch, wire);
            if (ch.isOpen()) {
                ch.advanceTimeBy(config.readTimeoutMillis() + 1, TimeUnit.MILLISECONDS);
                ch.runScheduledPendingTasks();
                drain(ch, wire);
            }
            if (ch.isOpen()) {
                ch.advanceTimeBy(2 * config.readTimeoutMillis() + 1, TimeUnit.MILLISECONDS);
                ch.runScheduledPendingTasks();
                drain(ch, wire);
            }
            boolean closed = !ch.isOpen();
            ch.finishAndReleaseAll();
            return new Result(wire.toByteArray(), seen, closed);
        } finally {
            ch.close();
            ch.releaseOutbound();
            ch.releaseInbound();
        }
    }

    private static void drain(EmbeddedChannel ch, ByteArrayOutputStream wire) {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (!(o instanceof ByteBuf b)) throw new AssertionError("the pipeline wrote a " + o.getClass().getName() + ", not bytes");
            try {
                byte[] a = new byte[b.readableBytes()];
                b.readBytes(a);
                wire.writeBytes(a);
            } finally {
                b.release();
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
