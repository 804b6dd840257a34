package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.image.TestImages;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI under a small heap, in a child JVM: a job whose estimate exceeds the JVM's limits is refused before it
 * starts, with one line naming the need and the setting; with tiles the same job fits; an OutOfMemoryError where
 * no estimate applies (decoding the input file) ends as one line too, never a stack trace.
 */
class MemoryLimitsTest {
    @TempDir
    static Path tmp;

    record Run(int code, String stderr) {}

    private static Run cli(String xmx, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + xmx, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.sodec.codec.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SODEC_CACHE", tmp.resolve("cache").toString());
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finishes");
        // the JVM's own notice about the incubator module is not ours
        String ours = err.lines().filter(l -> !l.contains("Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        return new Run(p.exitValue(), ours);
    }

    @Test
    void aJobBeyondTheLimitIsRefusedUpFrontAndFitsInTiles() throws Exception {
        Path in = tmp.resolve("big.png");
        ImageIO.write(TestImages.pattern(1536, 1536), "png", in.toFile());
        Run whole = cli("160m", "compress", in.toString(), "-o", tmp.resolve("w.sdc").toString(), "--model", "low", "--tile", "0");
        assertEquals(1, whole.code(), whole.stderr());
        assertEquals(1, whole.stderr().lines().count(), whole.stderr());
        assertTrue(whole.stderr().startsWith("sodec compress: compressing a 1536x1536 image with the whole image at once needs about"), whole.stderr());
        assertTrue(whole.stderr().contains("SODEC_JAVA_OPTS=-Xmx"), whole.stderr());
        assertTrue(whole.stderr().contains("--tile"), whole.stderr());
        assertFalse(Files.exists(tmp.resolve("w.sdc")));

        Run tiled = cli("160m", "compress", in.toString(), "-o", tmp.resolve("t.sdc").toString(), "--model", "low", "--tile", "256");
        assertEquals(0, tiled.code(), tiled.stderr());
        assertTrue(Files.size(tmp.resolve("t.sdc")) > 100);
    }

    @Test
    void anOutOfMemoryErrorIsOneLine() throws Exception {
        Path in = tmp.resolve("huge.png");
        // 24 MP of gray: a small file whose RGB image (96 MB) cannot fit a 64 MB heap
        ImageIO.write(new BufferedImage(6000, 4000, BufferedImage.TYPE_BYTE_GRAY), "png", in.toFile());
        Run r = cli("64m", "compress", in.toString(), "-o", tmp.resolve("h.sdc").toString(), "--model", "low");
        assertEquals(1, r.code(), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("sodec compress: out of memory"), r.stderr());
        assertTrue(r.stderr().contains("SODEC_JAVA_OPTS=-Xmx"), r.stderr());
        assertFalse(r.stderr().contains("\tat ") || r.stderr().contains("Exception in thread"), r.stderr());
    }
}
