package dev.sodec.fuzz;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.serve.InProcessServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes the {@code ServeRequest} seeds: a request of every endpoint (compress with a 16x16 PNG, decompress with
 * that PNG's .sdc under each Accept, models, probes, metrics) and malformed ones (bad token, unknown path, wrong
 * method, bad query, chunked and Content-Length bodies, an over-limit Content-Length, a cut-off request, two
 * requests in a row, garbage).
 *
 * <pre>java -cp ... dev.sodec.fuzz.ServeSeeds codec/src/test/resources/dev/sodec/fuzz/ServeRequestFuzzTestInputs/request</pre>
 */
public final class ServeSeeds {
    private static final String AUTH = "Authorization: Bearer " + InProcessServer.TOKEN + "\r\n";

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        BufferedImage photo;
        try (InputStream in = ServeSeeds.class.getResourceAsStream("/dev/sodec/demo/chelsea.png")) {
            photo = ImageIO.read(in);
        }
        BufferedImage crop = photo.getSubimage(100, 60, 16, 16);
        byte[] png = ImageFiles.encode(crop, ImageFormat.PNG);
        byte[] sdc;
        try (SodecCodec c = SodecCodec.load(BundledModels.byName("low").orElseThrow(), CodecOptions.defaults().withThreads(1))) {
            sdc = c.compress(crop);
        }
        write(out, "compress_png", post("/v1/compress?model=low", AUTH + "Content-Type: image/png\r\n", png));
        write(out, "compress_quality", post("/v1/compress?quality=0.2", AUTH, png));
        write(out, "compress_chunked", chunked("/v1/compress", AUTH, png));
        write(out, "decompress_png", post("/v1/decompress", AUTH + "Accept: image/png\r\n", sdc));
        write(out, "decompress_jpeg", post("/v1/decompress?model=low", AUTH + "Accept: image/webp;q=0.9, image/jpeg\r\n", sdc));
        write(out, "decompress_raw", post("/v1/decompress", AUTH + "Accept: application/octet-stream\r\n", sdc));
        write(out, "decompress_not_acceptable", post("/v1/decompress", AUTH + "Accept: text/html\r\n", sdc));
        write(out, "models", get("/v1/models", AUTH));
        write(out, "healthz", get("/healthz", ""));
        write(out, "readyz", get("/readyz", "Connection: close\r\n"));
        write(out, "metrics", get("/metrics", ""));
        write(out, "models_no_token", get("/v1/models", ""));
        write(out, "models_wrong_token", get("/v1/models", "Authorization: Bearer fuzz-tokem\r\n"));
        write(out, "unknown_path", get("/v1/../etc/passwd", AUTH));
        write(out, "wrong_method", post("/healthz", "", new byte[] {1, 2, 3}));
        write(out, "bad_query", post("/v1/compress?model=%zz&quality=2", AUTH, png));
        write(out, "unknown_model", post("/v1/compress?model=/etc/passwd", AUTH, png));
        write(out, "garbage_body", post("/v1/decompress", AUTH, "not an sdc".getBytes(StandardCharsets.US_ASCII)));
        write(out, "over_limit", ascii("POST /v1/compress HTTP/1.1\r\nHost: x\r\n" + AUTH + "Content-Length: 70000\r\n\r\nabc"));
        write(out, "cut_off", ascii("POST /v1/compress HTTP/1.1\r\nHost: x\r\n" + AUTH + "Content-Length: 500\r\n\r\nabc"));
        write(out, "expect_continue", ascii("POST /v1/compress HTTP/1.1\r\nHost: x\r\n" + AUTH + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"));
        write(out, "pipelined", concat(get("/healthz", ""), get("/v1/models", AUTH)));
        write(out, "http10", ascii("GET /healthz HTTP/1.0\r\n\r\n"));
        write(out, "bad_request_line", ascii("GET\t/ HTTP/9.9 extra\r\n\r\n"));
        write(out, "garbage", new byte[] {0, (byte) 0xff, 13, 10, 13, 10});
    }

    static byte[] get(String uri, String headers) {
        return ascii("GET " + uri + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
    }

    static byte[] post(String uri, String headers, byte[] body) {
        return concat(ascii("POST " + uri + " HTTP/1.1\r\nHost: x\r\n" + headers + "Content-Length: " + body.length + "\r\n\r\n"), body);
    }

    static byte[] chunked(String uri, String headers, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii("POST " + uri + " HTTP/1.1\r\nHost: x\r\n" + headers + "Transfer-Encoding: chunked\r\n\r\n"));
        for (int off = 0; off < body.length; off += 100) {
            int n = Math.min(100, body.length - off);
            b.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            b.write(body, off, n);
            b.writeBytes(ascii("\r\n"));
        }
        b.writeBytes(ascii("0\r\n\r\n"));
        return b.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static void write(Path dir, String name, byte[] bytes) throws Exception {
        Files.write(dir.resolve(name), bytes);
    }

    private ServeSeeds() {}
}
