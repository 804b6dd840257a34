package dev.sodec.codec.serve;

import static dev.sodec.codec.serve.ServeTestClient.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.cli.Main;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.engine.json.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service end to end on a free loopback port, with the shipped models and small images: every endpoint, the
 * bytes it answers against the CLI and the API, batching, every limit and error.
 */
class SodecServerTest {
    static final CodecOptions OPTIONS = CodecOptions.defaults().withThreads(2);
    static SodecServer server;
    static ServeTestClient client;
    static byte[] png;           // a 96x80 crop of the bundled photo
    static BufferedImage image;

    @BeforeAll
    static void start() throws Exception {
        BufferedImage photo;
        try (InputStream in = SodecServerTest.class.getResourceAsStream("/dev/sodec/demo/chelsea.png")) {
            photo = ImageIO.read(in);
        }
        image = photo.getSubimage(200, 100, 96, 80);
        png = ImageFiles.encode(image, ImageFormat.PNG);
        ServeConfig cfg = ServeConfig.defaults(OPTIONS).withModels(List.of("low", "medium")).withBatching(4, 1000);
        server = SodecServer.start(cfg, new PrintStream(new ByteArrayOutputStream()));
        client = new ServeTestClient(server.port());
        awaitReady(client);
    }

    static void awaitReady(ServeTestClient c) throws Exception {
        for (int i = 0; i < 600; i++) {
            HttpResponse<byte[]> r = c.get("/readyz");
            if (r.statusCode() == 200) return;
            assertEquals(503, r.statusCode());
            assertTrue(text(r).contains("warming up"), text(r));
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within 60 s");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** The bytes `sodec compress IN -o OUT --model M` writes. */
    static byte[] cliCompress(Path tmp, byte[] imageFile, String model) throws Exception {
        Path in = tmp.resolve("in.png"), out = tmp.resolve("out-" + model + ".sdc");
        Files.write(in, imageFile);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"compress", in.toString(), "-o", out.toString(), "--model", model, "--threads", "2"},
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return Files.readAllBytes(out);
    }

    @Test
    void compressAnswersTheBytesTheCliWrites(@TempDir Path tmp) throws Exception {
        HttpResponse<byte[]> r = client.post("/v1/compress?model=low", png);
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("image/x-sodec", r.headers().firstValue("content-type").orElseThrow());
        assertArrayEquals(cliCompress(tmp, png, "low"), r.body());
        // quality maps onto the shipped models by rate: 0 the lowest (low), 1 the highest (medium)
        HttpResponse<byte[]> q1 = client.post("/v1/compress?quality=1", png);
        assertEquals("medium", q1.headers().firstValue("x-sodec-model").orElseThrow());
        assertArrayEquals(cliCompress(tmp, png, "medium"), q1.body());
        assertEquals("low", client.post("/v1/compress?quality=0", png).headers().firstValue("x-sodec-model").orElseThrow());
        // no model: the shipped default
        assertArrayEquals(r.body(), client.post("/v1/compress", png).body());
        // a JPEG body, as the CLI reads it
        byte[] jpeg = ImageFiles.encode(image, ImageFormat.JPEG);
        assertArrayEquals(cliCompress(tmp, jpeg, "low"), client.post("/v1/compress?model=low", jpeg).body());
    }

    @Test
    void decompressAnswersPngJpegOrRawRgbByAccept() throws Exception {
        byte[] sdc = client.post("/v1/compress?model=medium", png).body();
        BufferedImage expected;
        try (SodecCodec codec = SodecCodec.load(BundledModels.byName("medium").orElseThrow(), OPTIONS)) {
            expected = codec.decompress(sdc);
        }
        HttpResponse<byte[]> p = client.post("/v1/decompress", sdc);
        assertEquals(200, p.statusCode(), text(p));
        assertEquals("image/png", p.headers().firstValue("content-type").orElseThrow());
        assertArrayEquals(ImageFiles.encode(expected, ImageFormat.PNG), p.body());
        HttpResponse<byte[]> j = client.post("/v1/decompress", sdc, "Accept", "image/jpeg");
        assertEquals("image/jpeg", j.headers().firstValue("content-type").orElseThrow());
        assertArrayEquals(ImageFiles.encode(expected, ImageFormat.JPEG), j.body());
        HttpResponse<byte[]> raw = client.post("/v1/decompress", sdc, "Accept", "text/html, application/octet-stream");
        assertEquals("application/octet-stream", raw.headers().firstValue("content-type").orElseThrow());
        assertEquals("96", raw.headers().firstValue("x-image-width").orElseThrow());
        assertEquals("80", raw.headers().firstValue("x-image-height").orElseThrow());
        byte[] rgb = raw.body();
        assertEquals(96 * 80 * 3, rgb.length);
        int px = expected.getRGB(5, 7), at = (7 * 96 + 5) * 3;
        assertEquals(px >> 16 & 255, rgb[at] & 255);
        assertEquals(px >> 8 & 255, rgb[at + 1] & 255);
        assertEquals(px & 255, rgb[at + 2] & 255);
        assertError(client.post("/v1/decompress", sdc, "Accept", "text/html"), 406, "cannot answer in 'text/html'");
    }

    @Test
    void concurrentDecodesOfOneShapeRunBatchedAndEachGetsItsOwnImage() throws Exception {
        List<byte[]> streams = new ArrayList<>();
        List<BufferedImage> expected = new ArrayList<>();
        BufferedImage photo;
        try (InputStream in = SodecServerTest.class.getResourceAsStream("/dev/sodec/demo/chelsea.png")) {
            photo = ImageIO.read(in);
        }
        try (SodecCodec codec = SodecCodec.load(BundledModels.byName("low").orElseThrow(), OPTIONS)) {
            for (int i = 0; i < 4; i++) {
                byte[] s = codec.compress(photo.getSubimage(40 * i, 30 * i, 70, 60));
                streams.add(s);
                expected.add(codec.decompress(s));
            }
        }
        double[] before = batchCountAndSum();
        List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (byte[] s : streams) answers.add(CompletableFuture.supplyAsync(() -> {
            try {
                return client.post("/v1/decompress", s, "Accept", "application/octet-stream");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
        for (int i = 0; i < 4; i++) {
            HttpResponse<byte[]> r = answers.get(i).join();
            assertEquals(200, r.statusCode(), text(r));
            assertArrayEquals(dev.sodec.codec.serve.ImageAnswer.rgb(expected.get(i)), r.body(), "image " + i);
        }
        double[] after = batchCountAndSum();
        assertEquals(4, after[1] - before[1], "4 decodes ran");
        assertTrue(after[0] - before[0] < 4, "in fewer than 4 network calls: " + (after[0] - before[0]));
    }

    private static double[] batchCountAndSum() throws Exception {
        String m = text(client.get("/metrics"));
        return new double[] {metric(m, "sodec_batch_size_count"), metric(m, "sodec_batch_size_sum")};
    }

    static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void modelsHealthReadinessAndMetrics() throws Exception {
        HttpResponse<byte[]> r = client.get("/v1/models");
        assertEquals(200, r.statusCode());
        Map<String, Object> body = Json.parseObject(text(r));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> models = (List<Map<String, Object>>) body.get("models");
        assertEquals(List.of("low", "medium"), models.stream().map(m -> m.get("name")).toList());
        assertEquals(true, models.get(0).get("default"));
        assertFalse(text(r).contains("/") || text(r).contains("safetensors"), "no paths: " + text(r));
        assertEquals("{\"status\":\"ok\"}", text(client.get("/healthz")));
        assertEquals(200, client.get("/readyz").statusCode());
        client.post("/v1/compress?model=low", png);
        client.post("/v1/decompress", new byte[] {1, 2, 3});
        String m = text(client.get("/metrics"));
        for (String want : new String[] {"sodec_http_requests_seconds_bucket{route=\"/v1/compress\",status=\"200\",le=",
                "sodec_http_requests_seconds_count{route=\"/v1/decompress\",status=\"422\"}", "sodec_stage_seconds_bucket{stage=\"compress\"",
                "sodec_stage_seconds_count{stage=\"read_image\"}", "sodec_queue_admitted ", "sodec_queue_batch_waiting ",
                "sodec_batch_size_bucket{le=\"1.0\"}", "sodec_memory_rss_bytes ", "sodec_memory_heap_used_bytes "}) {
            assertTrue(m.contains(want), "metrics lack " + want);
        }
        assertTrue(metric(m, "sodec_memory_rss_bytes") > 1e6);
    }

    @Test
    void badRequestsGetOneLineJsonErrors() throws Exception {
        assertError(client.get("/nope"), 404, "no such endpoint: /nope");
        HttpResponse<byte[]> wrongMethod = client.get("/v1/compress");
        assertError(wrongMethod, 405, "/v1/compress takes POST, not GET");
        assertEquals("POST", wrongMethod.headers().firstValue("allow").orElseThrow());
        assertError(client.post("/v1/compress?model=/etc/passwd", png), 400, "unknown model '/etc/passwd' (loaded: low, medium)");
        assertError(client.post("/v1/compress?model=low&quality=1", png), 400, "give model or quality, not both");
        assertError(client.post("/v1/compress?quality=2", png), 400, "quality must be a number in [0, 1]");
        assertError(client.post("/v1/compress", new byte[0]), 400, "empty body");
        assertError(client.post("/v1/compress", "not an image".getBytes(StandardCharsets.UTF_8)), 422, "body: not a PNG, JPEG");
        assertError(client.post("/v1/decompress", "garbage".getBytes(StandardCharsets.UTF_8)), 422, "not a sodec compressed image");
        byte[] sdc = client.post("/v1/compress?model=low", png).body();
        byte[] truncated = java.util.Arrays.copyOf(sdc, sdc.length - 9);
        assertError(client.post("/v1/decompress", truncated), 422, "");
        byte[] corrupt = sdc.clone();
        corrupt[corrupt.length - 3] ^= 0x55;
        assertError(client.post("/v1/decompress", corrupt), 422, "");
        // a stream another model made: decoding it with a named model the server has is a model mismatch
        assertError(client.post("/v1/decompress?model=medium", sdc), 422, "model mismatch");
        // OneDC's own .bin layout names no model: the request must name one, and a hyperprior model cannot read it
        byte[] bin = new dev.sodec.codec.onedc.format.OneDcFile(new dev.sodec.codec.onedc.format.OneDcGeometry(64, 64),
                new byte[] {1, 2, 3}, new byte[] {4, 5}).encode();
        assertError(client.post("/v1/decompress", bin), 400, "a OneDC .bin file names no model: give ?model=NAME (loaded: low, medium)");
        assertError(client.post("/v1/decompress?model=low", bin), 422, "");
        // the server stays healthy
        assertEquals(200, client.post("/v1/decompress", sdc).statusCode());
    }

    @Test
    void malformedHttpAndTruncatedUploadsDoNotHurtTheServer() throws Exception {
        String bad = client.raw("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
        assertTrue(bad.startsWith("HTTP/1.1 400") && bad.contains("\"error\":\"malformed HTTP request\""), bad);
        // a truncated upload: Content-Length promises more than arrives, then the client closes
        String cut = client.raw(concat("POST /v1/compress HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
                java.util.Arrays.copyOf(png, 100)), false);
        assertEquals("", cut, "nothing is answered to a request that never arrived whole");
        assertEquals(200, client.get("/healthz").statusCode());
    }

    static byte[] concat(String head, byte[] body) {
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    static void assertError(HttpResponse<byte[]> r, int status, String messageStart) {
        assertEquals(status, r.statusCode(), text(r));
        assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
        Map<String, Object> body = Json.parseObject(text(r));
        String msg = (String) body.get("error");
        assertTrue(msg.startsWith(messageStart), msg);
        assertFalse(msg.contains("\n") || msg.contains("\tat ") || msg.contains("Exception"), msg);
        assertEquals(status, ((Number) body.get("status")).intValue());
    }
}
