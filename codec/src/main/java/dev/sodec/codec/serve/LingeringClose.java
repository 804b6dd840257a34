package dev.sodec.codec.serve;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection after an answer that closes it without losing that answer. Closing a socket while the client is
 * still sending (a body over the limit is refused before it has arrived) makes the kernel reset the connection, and
 * a reset can reach the client before it has read the 413: it then sees no response at all. So the answer is
 * followed by a half-close (FIN: the client reads the whole answer, then end of stream), whatever still arrives is
 * discarded unparsed (never read as a request), and the socket is closed when the client closes or after
 * {@link #LINGER_MS}.
 */
final class LingeringClose {
    static final long LINGER_MS = 2000;
    private static final String DISCARD = "sodec-linger-discard";

    private LingeringClose() {}

    static void close(Channel ch) {
        if (!(ch instanceof SocketChannel socket) || !ch.isActive() || ch.pipeline().get(DISCARD) != null) {
            ch.close();
            return;
        }
        ch.pipeline().addFirst(DISCARD, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }
        });
        ch.config().setAutoRead(true);
        socket.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) ch.close();
            else ch.eventLoop().schedule(() -> ch.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        });
    }
}
