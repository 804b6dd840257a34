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

    /** A file that matches a trusted CRC32C takes the SHA-256 listed with it; one that does not is hashed. */
    @Test
    void aFileMatchingItsListedCrcTakesTheListedHash(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("m.bin");
        byte[] a = new byte[100_000];
        new Random(3).nextBytes(a);
        Files.write(f, a);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(a);
        byte[] listed = sha(new byte[] {42}); // any 32 bytes: shows the listed value is what is answered
        org.junit.jupiter.api.Assertions.assertFalse(FileDigests.matchesCrc32c(f, (int) crc.getValue() ^ 1, listed));
        assertArrayEquals(sha(a), FileDigests.sha256(f));
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 2000));
        org.junit.jupiter.api.Assertions.assertTrue(FileDigests.matchesCrc32c(f, (int) crc.getValue(), listed));
        assertArrayEquals(listed, FileDigests.sha256(f));
    }

    private static byte[] sha(byte[] x) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(x);
    }
}
