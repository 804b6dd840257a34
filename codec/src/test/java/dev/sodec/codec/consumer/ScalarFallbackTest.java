package dev.sodec.codec.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.engine.cpu.VectorApi;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine without {@code jdk.incubator.vector}: a JVM started with no options runs the scalar loops, warns once,
 * and codes exactly what this (Vector API) JVM codes: the same compressed bytes (the analysis transform's loops give
 * the same bits, and the entropy path's fixed-order convolutions are defined per element) and the same decoded pixels;
 * the golden conformance suite passes there within its usual tolerances.
 */
class ScalarFallbackTest {
    private static final String MAIN = "dev.sodec.codec.cli.Main";

    private static Path image() {
        return Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png");
    }

    @Test
    void compressedBytesAndDecodedPixelsMatchTheVectorPath(@TempDir Path tmp) throws Exception {
        assertTrue(VectorApi.enabled(), "this JVM runs the Vector API loops (surefire adds the module)");
        BufferedImage in = ImageIO.read(image().toFile());
        byte[] vectorBytes;
        BufferedImage vectorDecoded;
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow())) {
            vectorBytes = codec.compress(in);
            vectorDecoded = codec.decompress(vectorBytes);
        }
        String cp = ForkedJvm.classPath();
        Path scalarSdc = tmp.resolve("scalar.sdc");
        ForkedJvm.Result c = ForkedJvm.run(tmp, cp, MAIN, "compress", image().toString(), "--strip-metadata", "-o",
                scalarSdc.toString()); // the API call above carries no metadata chunk
        assertEquals(0, c.exit(), c.toString());
        assertEquals(1, c.warnings(), "the fallback is announced once: " + c);
        assertFalse(c.stderr().contains("Using incubator modules"), "the forked JVM has no incubator module");
        assertArrayEquals(vectorBytes, Files.readAllBytes(scalarSdc), "same bytes as the Vector API path");

        Path vectorSdc = tmp.resolve("vector.sdc"), png = tmp.resolve("scalar.png");
        Files.write(vectorSdc, vectorBytes);
        ForkedJvm.Result d = ForkedJvm.run(tmp, cp, MAIN, "decompress", vectorSdc.toString(), "-o", png.toString());
        assertEquals(0, d.exit(), d.toString());
        assertEquals(1, d.warnings(), d.toString());
        BufferedImage scalarDecoded = ImageIO.read(png.toFile());
        assertEquals(vectorDecoded.getWidth(), scalarDecoded.getWidth());
        assertEquals(vectorDecoded.getHeight(), scalarDecoded.getHeight());
        int w = vectorDecoded.getWidth(), h = vectorDecoded.getHeight();
        assertArrayEquals(vectorDecoded.getRGB(0, 0, w, h, null, 0, w), scalarDecoded.getRGB(0, 0, w, h, null, 0, w),
                "same decoded pixels as the Vector API path");
    }

    @Test
    void goldenConformancePassesOnScalarLoops(@TempDir Path tmp) throws Exception {
        Path golden = Path.of(System.getProperty("sodec.shared")).resolve("golden");
        ForkedJvm.Result r = ForkedJvm.run(tmp, ForkedJvm.classPath(), MAIN, "conformance", golden.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("scalar loops"), "the backend says it runs scalar loops: " + r.stderr());
        assertEquals(1, r.warnings(), r.toString());
        assertTrue(r.stdout().matches("(?s).*\\n[1-9][0-9]* passed, 0 failed, 0 skipped\\s*"), r.stdout());
    }
}
