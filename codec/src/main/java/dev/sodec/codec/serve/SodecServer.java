package dev.sodec.codec.serve;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP service: loads the models, binds, warms the models up in the background ({@code /readyz} answers 200
 * after), serves until {@link #close()}, which drains: the port stops accepting, {@code /readyz} answers 503,
 * requests in flight finish (up to the drain time), then connections, batcher and models are closed.
 *
 * <p>Netty runs the connections on two event-loop threads (I/O only: reading, writing, timers); each request's
 * work runs on a virtual thread of its own, and the networks in {@code workers} slots ({@link ComputeSlots}).
 */
public final class SodecServer implements AutoCloseable {
    private final ServeConfig config;
    private final ModelRegistry models;
    private final ServeMetrics metrics;
    private final Admission admission;
    private final DecodeBatcher batcher;
    private final ComputeSlots slots;
    private final Dispatcher dispatcher;
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean warmed = new AtomicBoolean(), draining = new AtomicBoolean(), closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String warmUpError;
    private Channel listener;

    /** Each /v1 request's work runs on a virtual thread of its own. */
    static final ThreadFactory REQUEST_THREADS = Thread.ofVirtual().name("sodec-req").factory();

    private SodecServer(ServeConfig config, ModelRegistry models, ThreadFactory requestThreads) {
        this.config = config;
        this.models = models;
        this.admission = new Admission(config.queueCapacity());
        this.slots = new ComputeSlots(config.workers());
        DecodeBatcher[] b = new DecodeBatcher[1];
        this.metrics = new ServeMetrics(admission::admitted, () -> b[0] == null ? 0 : b[0].waiting());
        this.batcher = b[0] = new DecodeBatcher(config.maxBatch(), config.batchWindowMillis(), config.workers(), slots, metrics);
        Router router = new Router()
                .add("POST", "/v1/compress", new CompressHandler(models, slots, metrics, config.codec()), Router.Kind.WORK)
                .add("POST", "/v1/decompress", new DecompressHandler(models, batcher, metrics, config.codec()), Router.Kind.WORK)
                .add("GET", "/v1/models", new ModelsHandler(models), Router.Kind.API)
                .add("GET", "/healthz", HealthHandlers.live(), Router.Kind.PROBE)
                .add("GET", "/readyz", HealthHandlers.ready(warmed::get, draining::get, () -> warmUpError), Router.Kind.PROBE)
                .add("GET", "/metrics", r -> ApiResponse.ok("text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)), Router.Kind.PROBE);
        this.dispatcher = new Dispatcher(router, new BearerToken(config.token()), admission, metrics, config.deadlineMillis(), draining::get,
                requestThreads);
    }

    /** Loads the models and listens; warm-up continues in the background ({@link #isReady()}). */
    public static SodecServer start(ServeConfig config, PrintStream log) throws IOException, InterruptedException {
        ModelRegistry models = ModelRegistry.load(config.models(), config.modelDir(), config.codec());
        SodecServer s = new SodecServer(config, models, REQUEST_THREADS);
        try {
            s.bind();
        } catch (IOException | RuntimeException | InterruptedException e) {
            s.close();
            throw e;
        }
        Thread.ofPlatform().name("sodec-warmup").daemon().start(() -> {
            try {
                models.warmUp();
                s.warmed.set(true);
                log.println("sodec serve: ready (models " + String.join(", ", models.all().stream().map(ModelRegistry.Loaded::name).toList()) + ")");
            } catch (RuntimeException | OutOfMemoryError e) {
                s.warmUpError = dev.sodec.engine.io.OneLine.of(dev.sodec.codec.io.IoMessages.reason(e));
                log.println("sodec serve: warm-up failed, staying unready: " + e.getMessage());
            }
        });
        return s;
    }

    /**
     * Loads the models and builds the server without binding or warming up: connections are then handed to
     * {@link #initConnection} by the caller (the fuzz target drives an in-process channel through it, with request
     * threads of its choosing). {@link #close()} releases it.
     */
    static SodecServer unbound(ServeConfig config, ThreadFactory requestThreads) throws IOException {
        return new SodecServer(config, ModelRegistry.load(config.models(), config.modelDir(), config.codec()), requestThreads);
    }

    /** Installs a connection's handlers: the one pipeline every connection gets (the fuzz target drives it too). */
    void initConnection(Channel ch) {
        connections.add(ch);
        ch.pipeline()
                .addLast(new IdleStateHandler(2 * config.readTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast(new ReadTimeout(config.readTimeoutMillis(), metrics))
                .addLast(new HttpServerCodec(8192, 16384, 65536))
                .addLast(new BodyLimit((int) config.maxBodyBytes(), metrics))
                .addLast(new ConnectionHandler(dispatcher, metrics));
    }

    private void bind() throws IOException, InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
        try {
            listener = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** The port listened on (the chosen one when the config said 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Models loaded and warmed, and not draining. */
    public boolean isReady() {
        return warmed.get() && !draining.get();
    }

    /** Why warm-up failed, or null. */
    public String warmUpError() {
        return warmUpError;
    }

    /** The bounded queue (tests fill it to see the 503). */
    Admission admission() {
        return admission;
    }

    /** The network slots (tests hold them to see deadlines, cancellation and draining). */
    ComputeSlots slots() {
        return slots;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Graceful shutdown: stop accepting, answer new /v1 requests 503, let admitted ones finish (up to the drain
     * time), then close connections, the batcher, the event loops and the models.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        draining.set(true);
        try {
            if (listener != null) listener.close().syncUninterruptibly();
            try {
                admission.awaitDrained(config.drainMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            batcher.close();
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            models.close();
        } finally {
            stopped.countDown();
        }
    }
}
