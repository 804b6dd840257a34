package dev.sodec.codec.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * SHA-256 of files, computed once per process for a file that keeps its identity (inode), size and modification
 * time. A CLI call verifies a shipped model's cached copy and then loads it, and loading takes the model's id from
 * the same hash: without this the 8 MB file was hashed twice per call (about 80 ms of a one-second call, as the hash
 * runs before the JIT has compiled it). Rewriting a file gives it a new modification time (or, written by rename,
 * a new inode), so a changed file is hashed again. A file whose publisher gives both its SHA-256 and its CRC32C (a
 * shipped model's index) is checked by the CRC alone ({@link #matchesCrc32c}), which the JDK computes with an
 * intrinsic from the first call (a few ms for 8 MB, where the first SHA-256 takes about 80 ms).
 */
public final class FileDigests {
    private record Key(Path path, Object fileKey, long size, FileTime modified) {}

    private static final Map<Key, byte[]> KNOWN = new ConcurrentHashMap<>();

    private FileDigests() {}

    /** The SHA-256 of the file's bytes (32 bytes; a fresh array). */
    public static byte[] sha256(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        Key key = new Key(file.toAbsolutePath().normalize(), a.fileKey(), a.size(), a.lastModifiedTime());
        byte[] d = KNOWN.get(key);
        if (d == null) {
            d = compute(file);
            KNOWN.put(key, d);
        }
        return d.clone();
    }

    /**
     * Whether the file's CRC32C is {@code crc32c}; when it is, the file is taken to have the SHA-256 {@code sha256}
     * given with that CRC (by the same trusted list), and {@link #sha256(Path)} answers it without hashing. A CRC32C
     * catches accidental damage (every burst of up to 32 bits, other changes but for one chance in 2^32), not a
     * deliberate forgery: it serves files only this program writes (the cache of shipped models).
     */
    public static boolean matchesCrc32c(Path file, int crc32c, byte[] sha256) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        if ((int) crc.getValue() != crc32c) return false;
        // keyed by the attributes read before the CRC: a change while it ran makes the key stale, never wrong
        KNOWN.put(new Key(file.toAbsolutePath().normalize(), a.fileKey(), a.size(), a.lastModifiedTime()), sha256.clone());
        return true;
    }

    /** The SHA-256 of some bytes. */
    public static byte[] sha256(byte[] bytes) {
        return newSha256().digest(bytes);
    }

    private static byte[] compute(Path file) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return md.digest();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
