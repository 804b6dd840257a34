package dev.sodec.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files become private read-only copies that outlive changes to the file; large ones are mappings that notice them. */
class FileBytesTest {
    @TempDir
    Path tmp;

    private Path file(int n) throws Exception {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 13 + 1);
        return Files.write(tmp.resolve("f.bin"), b);
    }

    @Test
    void aSmallFileIsAPrivateReadOnlyCopy() throws Exception {
        Path f = file(10_000);
        byte[] orig = Files.readAllBytes(f);
        try (FileBytes fb = FileBytes.open(f)) {
            assertFalse(fb.mapped());
            assertTrue(fb.bytes().isReadOnly() && fb.bytes().isNative());
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(10);
            }
            Files.write(f, new byte[10_000]);
            assertArrayEquals(orig, fb.bytes().toArray(ValueLayout.JAVA_BYTE), "the copy changed with the file");
            assertFalse(fb.changedOnDisk(), "a copy is never stale");
        }
    }

    @Test
    void aFileAboveTheLimitIsMappedAndNoticesChanges() throws Exception {
        Path f = file(4096);
        String old = System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, "100");
        try (FileBytes fb = FileBytes.open(f)) {
            assertTrue(fb.mapped());
            assertEquals(4096, fb.bytes().byteSize());
            assertFalse(fb.changedOnDisk());
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(100);
            }
            assertTrue(fb.changedOnDisk());
            assertTrue(fb.describeFault().contains("4096 bytes when opened, 100 bytes now"), fb.describeFault());
        } finally {
            if (old == null) System.clearProperty(FileBytes.COPY_LIMIT_PROPERTY);
            else System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, old);
        }
    }

    /**
     * With native access (as the tests and ./sodec run) a mapping is handed out as a plain native segment, so that
     * no mapped segment ever reaches the kernels' vector loads (see FileBytes#plainView); its pages can still be let go.
     */
    @Test
    void aMappedFileIsReadThroughAPlainViewWhosePagesCanBeLetGo() throws Exception {
        Path f = file(3 * 4096);
        byte[] orig = Files.readAllBytes(f);
        String old = System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, "100");
        try {
            java.lang.foreign.MemorySegment part;
            try (FileBytes fb = FileBytes.open(f)) {
                assertTrue(fb.mapped());
                assertTrue(FileBytes.class.getModule().isNativeAccessEnabled(), "tests run with --enable-native-access");
                assertFalse(fb.bytes().isMapped(), "the kernels would see a mapped segment");
                assertTrue(fb.bytes().isReadOnly() && fb.bytes().isNative());
                assertArrayEquals(orig, fb.bytes().toArray(ValueLayout.JAVA_BYTE));
                part = fb.bytes().asSlice(4096, 4096);
                FileBytes.releasePages(part);
                // let go, read back from the file on the next touch
                assertArrayEquals(java.util.Arrays.copyOfRange(orig, 4096, 8192), part.toArray(ValueLayout.JAVA_BYTE));
            }
            assertFalse(part.scope().isAlive(), "the view lives exactly as long as the file");
            FileBytes.releasePages(part);   // a closed file's range is no longer known: nothing to do, no error
        } finally {
            if (old == null) System.clearProperty(FileBytes.COPY_LIMIT_PROPERTY);
            else System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, old);
        }
    }

    @Test
    void emptyFilesAndBadLimitsAreHandled() throws Exception {
        try (FileBytes fb = FileBytes.open(file(0))) {
            assertEquals(0, fb.bytes().byteSize());
        }
        String old = System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, "lots");
        try {
            assertThrows(IllegalArgumentException.class, FileBytes::copyLimit);
        } finally {
            if (old == null) System.clearProperty(FileBytes.COPY_LIMIT_PROPERTY);
            else System.setProperty(FileBytes.COPY_LIMIT_PROPERTY, old);
        }
    }
}
