package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.onedc.OneDcTestModels;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The determinism guarantees of the README's Robustness section, on the shipped model: a stream encoded on any of
 * {cpu 1 thread, cpu 3 threads, cuda-emulated} is byte-identical to the others and decodes on every one of them;
 * decoding the same stream twice on one backend gives identical pixels; 16 concurrent calls through one codec give
 * the sequential results. Images are not multiples of 64 (padding on every side) and not square. A full SODEC model
 * (the pipeline.sodec golden weights) follows the same rules through its generative decoder, and so does a OneDC
 * model (the shared tiny release, converted as {@code sodec convert --onedc} does).
 */
class DeterminismMatrixTest {
    /** Backend name -> threads: the matrix's rows and columns. */
    private static final Map<String, Integer> BACKENDS = new LinkedHashMap<>();
    private static final Map<String, SodecCodec> CODECS = new LinkedHashMap<>();

    static {
        BACKENDS.put("cpu/1", 1);
        BACKENDS.put("cpu/3", 3);
        BACKENDS.put("cuda-emulated", 1);
    }

    @BeforeAll
    static void codecs() throws Exception {
        Path model = BundledModels.defaultModel().orElseThrow();
        for (Map.Entry<String, Integer> b : BACKENDS.entrySet()) {
            String backend = b.getKey().startsWith("cpu") ? "cpu" : b.getKey();
            CODECS.put(b.getKey(), SodecCodec.load(model, new CodecOptions(backend, b.getValue(), CodecOptions.DEFAULT_MAX_PIXELS)));
        }
    }

    @AfterAll
    static void close() {
        CODECS.values().forEach(SodecCodec::close);
    }

    private static BufferedImage image(int w, int h) {
        return SodecCodecTest.image(w, h, w * 31 + h);
    }

    @Test
    void everyEncoderWritesTheSameBytesAndEveryDecoderReadsThem() {
        for (int[] size : new int[][] {{100, 70}, {61, 130}}) {
            BufferedImage img = image(size[0], size[1]);
            Map<String, byte[]> streams = new LinkedHashMap<>();
            CODECS.forEach((name, c) -> streams.put(name, c.compress(img)));
            byte[] reference = streams.get("cpu/1");
            streams.forEach((name, s) -> assertArrayEquals(reference, s, "stream encoded on " + name + " differs from cpu/1's"));

            Map<String, int[]> decoded = new LinkedHashMap<>();
            CODECS.forEach((name, c) -> {
                int[] first = SodecCodecTest.pixels(c.decompress(reference));
                int[] second = SodecCodecTest.pixels(c.decompress(reference));
                assertArrayEquals(first, second, "two decodes on " + name + " differ");
                assertEquals(size[0] * size[1], first.length);
                decoded.put(name, first);
            });
            // Same backend code, other thread count: the CPU backend's results do not depend on threads either.
            assertArrayEquals(decoded.get("cpu/1"), decoded.get("cpu/3"), "cpu decodes differ between 1 and 3 threads");
            // Another backend may round differently, but it decodes the same latents into nearly the same image.
            assertTrue(maxDifference(decoded.get("cpu/1"), decoded.get("cuda-emulated")) <= 2,
                    "cuda-emulated decode is far from the cpu decode");
        }
    }

    @Test
    void sixteenConcurrentCallsThroughOneCodecGiveTheSequentialResults() throws Exception {
        SodecCodec codec = CODECS.get("cpu/3");
        BufferedImage img = image(100, 70);
        byte[] stream = codec.compress(img);
        int[] pixels = SodecCodecTest.pixels(codec.decompress(stream));
        List<byte[]> encoded = concurrently(16, () -> codec.compress(img));
        List<int[]> decoded = concurrently(16, () -> SodecCodecTest.pixels(codec.decompress(stream)));
        for (int i = 0; i < 16; i++) {
            assertArrayEquals(stream, encoded.get(i), "concurrent compress #" + i);
            assertArrayEquals(pixels, decoded.get(i), "concurrent decompress #" + i);
        }
    }

    @Test
    void aFullSodecModelsStreamsAndGenerativeDecodesFollowTheSameRules(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path caseDir = Path.of(System.getProperty("sodec.shared")).resolve("golden/pipeline.sodec");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(caseDir), "no shared golden data");
        Path model = tmp.resolve("sodec.safetensors");
        try (dev.sodec.codec.conformance.GoldenCase c = dev.sodec.codec.conformance.GoldenCase.open(caseDir)) {
            dev.sodec.engine.io.SafeTensorsWriter.write(model, c.weights(), Map.of("config", c.config().toString(), "format_version", "1"));
        }
        BufferedImage img = image(70, 45);
        byte[] reference = null;
        for (Map.Entry<String, Integer> b : BACKENDS.entrySet()) {
            String backend = b.getKey().startsWith("cpu") ? "cpu" : b.getKey();
            try (SodecCodec c = SodecCodec.load(model, new CodecOptions(backend, b.getValue(), CodecOptions.DEFAULT_MAX_PIXELS))) {
                assertTrue(c.hasGenerativeDecoder());
                byte[] s = c.compress(img);
                if (reference == null) reference = s;
                assertArrayEquals(reference, s, "SODEC stream encoded on " + b.getKey() + " differs from cpu/1's");
                int[] first = SodecCodecTest.pixels(c.decompress(reference));
                assertArrayEquals(first, SodecCodecTest.pixels(c.decompress(reference)), "two generative decodes on " + b.getKey());
            }
        }
    }

    @Test
    void oneDcStreamsFollowTheSameRules(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(OneDcTestModels.releaseCase()), "no shared OneDC release");
        Path model = OneDcTestModels.convert(tmp, "onedc-tiny.safetensors", false);
        Map<String, SodecCodec> codecs = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Integer> b : BACKENDS.entrySet()) {
                String backend = b.getKey().startsWith("cpu") ? "cpu" : b.getKey();
                codecs.put(b.getKey(), SodecCodec.load(model, new CodecOptions(backend, b.getValue(), CodecOptions.DEFAULT_MAX_PIXELS)));
            }
            // one small size (OneDC pads right and bottom only: 50x37 is coded as 64x64); the tiny model's VAE
            // encoder and decoder make even this the slowest case of the matrix
            BufferedImage img = image(50, 37);
            Map<String, byte[]> streams = new LinkedHashMap<>();
            codecs.forEach((name, c) -> streams.put(name, c.compress(img)));
            byte[] reference = streams.get("cpu/1");
            assertEquals(dev.sodec.codec.onedc.format.OneDcSdc.ONEDC, dev.sodec.codec.container.Container.parse(reference).architectureCode());
            streams.forEach((name, s) -> assertArrayEquals(reference, s, "OneDC stream encoded on " + name + " differs from cpu/1's"));

            Map<String, int[]> decoded = new LinkedHashMap<>();
            codecs.forEach((name, c) -> {
                int[] first = SodecCodecTest.pixels(c.decompress(reference));
                assertArrayEquals(first, SodecCodecTest.pixels(c.decompress(reference)), "two OneDC decodes on " + name + " differ");
                assertEquals(50 * 37, first.length);
                decoded.put(name, first);
            });
            assertArrayEquals(decoded.get("cpu/1"), decoded.get("cpu/3"), "OneDC cpu decodes differ between 1 and 3 threads");
            assertTrue(maxDifference(decoded.get("cpu/1"), decoded.get("cuda-emulated")) <= 2,
                    "OneDC cuda-emulated decode is far from the cpu decode");

            SodecCodec codec = codecs.get("cpu/3");
            List<int[]> concurrent = concurrently(16, () -> SodecCodecTest.pixels(codec.decompress(reference)));
            for (int i = 0; i < 16; i++) assertArrayEquals(decoded.get("cpu/3"), concurrent.get(i), "concurrent OneDC decompress #" + i);
        } finally {
            codecs.values().forEach(SodecCodec::close);
        }
    }

    /** Runs {@code n} calls at once (released together) and returns their results in order. */
    static <T> List<T> concurrently(int n, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int maxDifference(int[] a, int[] b) {
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                max = Math.max(max, Math.abs((a[i] >> shift & 0xFF) - (b[i] >> shift & 0xFF)));
            }
        }
        return max;
    }
}
