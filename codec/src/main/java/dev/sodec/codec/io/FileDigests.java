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

/**
 * SHA-256 of files, computed once per process for a file that keeps its identity (inode), size and modification
 * time. A CLI call verifies a shipped model's cached copy and then loads it, and loading takes the model's id from
 * the same hash: without this the 8 MB file was hashed twice per call (about 80 ms of a one-second call, as the hash
 * runs before the JIT has compiled it). Rewriting a file gives it a new modification time (or, written by rename,
 * a new inode), so a changed file is hashed again.
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
