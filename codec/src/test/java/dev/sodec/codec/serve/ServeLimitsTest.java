package dev.sodec.codec.serve;

import static dev.sodec.codec.serve.ServeTestClient.text;
import static dev.sodec.codec.serve.SodecServerTest.assertError;
import static dev.sodec.codec.serve.SodecServerTest.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import dev.sodec.codec.models.BundledModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits, backpressure and shutdown: body size (413), pixel count (413), a full queue (503 + Retry-After), the
 * deadline (504), the work of a client that disconnects dropped, a slow client cut off (408), bearer tokens (401),
 * and a graceful shutdown that lets requests in flight finish. The network slots are held by the test where a
 * request must be kept waiting, so nothing depends on timing but the short configured timeouts.
 */
class ServeLimitsTest {
    static final String TOKEN = "s3cret-token";
    static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
    static SodecServer server;
    static ServeTestClient client;
    static BufferedImage photo;

    @BeforeAll
    static void start() throws Exception {
        try (InputStream in = ServeLimitsTest.class.getResourceAsStream("/dev/sodec/demo/chelsea.png")) {
            photo = ImageIO.read(in);
        }
        CodecOptions opt = CodecOptions.defaults().withThreads(2).withMaxPixels(10_000);
        ServeConfig cfg = ServeConfig.defaults(opt).withModels(List.of("low")).withToken(TOKEN)
                .withLimits(2, 100_000, 1500, 1000);
        server = SodecServer.start(cfg, new PrintStream(new ByteArrayOutputStream()));
        client = new ServeTestClient(server.port());
        SodecServerTest.awaitReady(client);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static byte[] png(int w, int h) throws Exception {
        return ImageFiles.encode(photo.getSubimage(0, 0, w, h), ImageFormat.PNG);
    }

    @Test
    void bearerTokenGuardsTheApiButNotProbes() throws Exception {
        HttpResponse<byte[]> none = client.get("/v1/models");
        assertError(none, 401, "missing bearer token");
        assertTrue(none.headers().firstValue("www-authenticate").orElseThrow().startsWith("Bearer"));
        assertError(client.get("/v1/models", "Authorization", "Bearer wrong"), 401, "wrong bearer token");
        assertEquals(200, client.get("/v1/models", AUTH).statusCode());
        assertEquals(200, client.get("/healthz").statusCode());
        assertEquals(200, client.get("/metrics").statusCode());
    }

    @Test
    void bodiesAndImagesOverTheLimitsAre413() throws Exception {
        assertError(client.post("/v1/compress", new byte[200_000], AUTH), 413, "request body over the limit of 100000 bytes");
        // 120 x 100 = 12000 pixels > 10000
        assertError(client.post("/v1/compress", png(120, 100), AUTH), 413, "body: image size 120x100 = 12000 pixels exceeds the limit");
        byte[] big;
        try (SodecCodec c = SodecCodec.load(BundledModels.byName("low").orElseThrow(), CodecOptions.defaults().withThreads(2))) {
            big = c.compress(photo.getSubimage(0, 0, 120, 100));
        }
        assertError(client.post("/v1/decompress", big, AUTH), 413, "image size 120x100 exceeds this server's limit of 10000 pixels");
        assertEquals(200, client.post("/v1/compress", png(100, 100), AUTH).statusCode());
    }

    @Test
    void aFullQueueIsRefusedWithRetryAfter() throws Exception {
        Admission a = server.admission();
        assertTrue(a.tryEnter());
        assertTrue(a.tryEnter());
        try {
            HttpResponse<byte[]> r = client.post("/v1/compress", png(32, 32), AUTH);
            assertError(r, 503, "server busy: the request queue is full");
            assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
            assertEquals(200, client.get("/healthz").statusCode(), "probes never queue");
        } finally {
            a.leave();
            a.leave();
        }
        assertEquals(200, client.post("/v1/compress", png(32, 32), AUTH).statusCode());
    }

    @Test
    void aRequestPastItsDeadlineIs504AndItsWorkIsDropped() throws Exception {
        server.slots().holdAll(1);
        try {
            assertError(client.post("/v1/compress", png(32, 32), AUTH), 504, "deadline of 1500 ms exceeded");
            waitUntilNothingAdmitted(); // the request stopped waiting for a slot: it will not run
        } finally {
            server.slots().releaseAll(1);
        }
    }

    @Test
    void theWorkOfAClientThatDisconnectsIsDropped() throws Exception {
        byte[] body = png(32, 32);
        double before = metric(text(client.get("/metrics")), "sodec_http_requests_seconds_count{route=\"/v1/compress\",status=\"499\"}");
        server.slots().holdAll(1);
        try {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(SodecServerTest.concat("POST /v1/compress HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n", body));
                out.flush();
                waitUntil(() -> server.admission().admitted() == 1);
            }
            waitUntilNothingAdmitted(); // the request left the queue while the slot was still held: its work was cancelled
        } finally {
            server.slots().releaseAll(1);
        }
        double after = metric(text(client.get("/metrics")), "sodec_http_requests_seconds_count{route=\"/v1/compress\",status=\"499\"}");
        assertEquals(before + 1, after);
    }

    @Test
    void aClientTooSlowToSendItsRequestIsCutOff() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("POST /v1/compress HTTP/1.1\r\nHost: x\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 408") && answer.contains("request not received whole within 1000 ms"), answer);
        }
        assertEquals(200, client.get("/healthz").statusCode());
    }

    @Test
    void shutdownDrainsRequestsInFlight() throws Exception {
        CodecOptions opt = CodecOptions.defaults().withThreads(2);
        SodecServer s = SodecServer.start(ServeConfig.defaults(opt).withModels(List.of("low")), new PrintStream(new ByteArrayOutputStream()));
        ServeTestClient c = new ServeTestClient(s.port());
        SodecServerTest.awaitReady(c);
        byte[] body = png(64, 48);
        s.slots().holdAll(1);
        CompletableFuture<HttpResponse<byte[]>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return c.post("/v1/compress", body);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waitUntil(() -> s.admission().admitted() == 1);
        Thread closer = Thread.ofPlatform().start(s::close);
        waitUntil(() -> !s.isReady());
        assertFalse(inFlight.isDone(), "the request waits for its slot");
        s.slots().releaseAll(1);
        HttpResponse<byte[]> r = inFlight.join();
        assertEquals(200, r.statusCode(), text(r));
        closer.join(30_000);
        assertFalse(closer.isAlive(), "shutdown finished");
        assertTrue(!canConnect(s.port()), "the port is closed");
    }

    static boolean canConnect(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static void waitUntilNothingAdmitted() throws InterruptedException {
        waitUntil(() -> server.admission().admitted() == 0);
    }

    static void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 2000 && !c.getAsBoolean(); i++) Thread.sleep(10);
        assertTrue(c.getAsBoolean(), "condition not reached within 20 s");
    }
}
