package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.models.BundledModels;
import dev.sodec.engine.io.FileBytes;
import java.awt.image.BufferedImage;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file truncated or rewritten on disk while a codec uses it. Small files (every shipped model) are read into
 * memory at load: the codec goes on with the bytes it loaded. A memory-mapped file (forced here with a zero copy
 * limit) makes every later call fail with a one-line {@link ModelFileChangedException}, including calls that were
 * running when the file was cut (the JDK's SIGBUS InternalError is converted), and the JVM lives on.
 */
class ModelFileFaultTest {
    @TempDir
    Path tmp;

    private Path copyOfShippedModel() throws Exception {
        Path f = tmp.resolve("model.safetensors");
        Files.copy(BundledModels.defaultModel().orElseThrow(), f);
        return f;
    }

    private static void truncate(Path f, long size) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void aLoadedSmallModelIgnoresTruncationAndRewrites() throws Exception {
        Path f = copyOfShippedModel();
        long size = Files.size(f);
        BufferedImage img = SodecCodecTest.image(70, 50, 3);
        try (SodecCodec c = SodecCodec.load(f, CodecOptions.defaults().withThreads(2))) {
            byte[] before = c.compress(img);
            int[] decoded = SodecCodecTest.pixels(c.decompress(before));
            truncate(f, 100);
            assertArrayEquals(before, c.compress(img), "stream after the file was truncated");
            byte[] junk = new byte[(int) size];
            Arrays.fill(junk, (byte) 0x5A);
            Files.write(f, junk);
            assertArrayEquals(before, c.compress(img), "stream after the file was rewritten");
            assertArrayEquals(decoded, SodecCodecTest.pixels(c.decompress(before)));
        }
    }

    @Test
    void aMappedModelFileCutUnderRunningCallsGivesClearErrorsAndTheJvmLivesOn() throws Exception {
        Path f = copyOfShippedModel();
        BufferedImage img = SodecCodecTest.image(128, 96, 5);
        String old = System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, "0");
        try (SodecCodec c = SodecCodec.load(f, CodecOptions.defaults().withThreads(2))) {
            byte[] good = c.compress(img);
            AtomicBoolean cut = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger(), refused = new AtomicInteger();
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                Thread worker = new Thread(() -> {
                    // Calls before, during and after the cut: each succeeds with the right bytes or is refused cleanly.
                    for (int i = 0; i < 40 && refused.get() < 5; i++) {
                        try {
                            boolean wasCut = cut.get();
                            byte[] s = c.compress(img);
                            assertFalse(wasCut, "a call that started after the cut succeeded");
                            assertArrayEquals(good, s);
                            ok.incrementAndGet();
                        } catch (ModelFileChangedException e) {
                            assertTrue(e.getMessage().contains("model.safetensors was truncated or rewritten while memory-mapped"), e.getMessage());
                            assertFalse(e.getMessage().contains("\n"), e.getMessage());
                            refused.incrementAndGet();
                        }
                    }
                });
                worker.start();
                while (ok.get() < 2 && worker.isAlive()) Thread.sleep(5);
                truncate(f, 4096);
                cut.set(true);
                worker.join();
            });
            assertTrue(ok.get() >= 2 && refused.get() >= 1, ok + " calls succeeded, " + refused + " were refused");
            ModelFileChangedException e = assertThrows(ModelFileChangedException.class, () -> c.decompress(good));
            assertTrue(e.getMessage().contains("4096 bytes now"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(FileBytes.COPY_LIMIT_PROPERTY);
            else System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, old);
        }
    }

    @Test
    void aMappedModelFileRewrittenInPlaceIsRefusedBeforeItIsUsed() throws Exception {
        Path f = copyOfShippedModel();
        String old = System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, "0");
        try (SodecCodec c = SodecCodec.load(f, CodecOptions.defaults().withThreads(1))) {
            byte[] good = c.compress(SodecCodecTest.image(64, 64, 1));
            // Same size, new content: the mapping would silently show the new weights.
            byte[] bytes = Files.readAllBytes(f);
            bytes[bytes.length - 1] ^= 1;
            Files.write(f, bytes);
            Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 2000));
            ModelFileChangedException e = assertThrows(ModelFileChangedException.class, () -> c.decompress(good));
            assertTrue(e.getMessage().contains("same size, modified"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(FileBytes.COPY_LIMIT_PROPERTY);
            else System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, old);
        }
    }

    @Test
    void aFaultReadingAMappedFileBecomesTheFilesErrorAndOtherwiseStaysAFault() throws Exception {
        Path f = copyOfShippedModel();
        String old = System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, "0");
        try {
            ModelFileGuard mapped = ModelFileGuard.before(f);
            assertTrue(mapped.mapped());
            truncate(f, 10);
            InternalError sigbus = new InternalError("a fault occurred in an unsafe memory access operation");
            RuntimeException e = mapped.fault(sigbus);
            assertTrue(e instanceof ModelFileChangedException && e.getCause() == sigbus, String.valueOf(e));
            assertTrue(e.getMessage().endsWith("bytes at load, 10 bytes now); load it again"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(FileBytes.COPY_LIMIT_PROPERTY);
            else System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, old);
        }
        ModelFileGuard copied = ModelFileGuard.before(f);
        assertFalse(copied.mapped());
        InternalError other = new InternalError("not a file fault");
        assertTrue(assertThrows(InternalError.class, () -> copied.fault(other)) == other);
    }
}
