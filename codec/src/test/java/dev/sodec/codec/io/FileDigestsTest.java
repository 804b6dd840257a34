package dev.sodec.codec.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file's SHA-256 is the JDK's digest of its bytes, remembered only while the file is unchanged. */
class FileDigestsTest {
    @Test
    void aRewrittenFileIsHashedAgain(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("x.bin");
        byte[] a = new byte[200_000], b = new byte[200_000];
        new Random(1).nextBytes(a);
        new Random(2).nextBytes(b);
        Files.write(f, a);
        assertArrayEquals(sha(a), FileDigests.sha256(f));
        assertArrayEquals(sha(a), FileDigests.sha256(f)); // remembered: same answer
        FileTime t = Files.getLastModifiedTime(f);
        Files.write(f, b); // same size, other bytes, in place (same inode)
        Files.setLastModifiedTime(f, FileTime.fromMillis(t.toMillis() + 2000)); // whatever the file clock's grain
        assertArrayEquals(sha(b), FileDigests.sha256(f));
        assertArrayEquals(sha(b), FileDigests.sha256(b));
    }

    private static byte[] sha(byte[] x) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(x);
    }
}
