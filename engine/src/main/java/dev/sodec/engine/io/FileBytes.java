package dev.sodec.engine.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file's bytes as one read-only native segment, valid until {@link #close()}.
 *
 * <p>A memory-mapped file is shared with whoever writes it: if it is truncated while mapped, touching a page past
 * the new end raises SIGBUS (the JDK turns it into an {@link InternalError} for most accesses, but not for every
 * compiled kernel), and if it is rewritten the mapping silently shows the new bytes. So files up to
 * {@link #copyLimit()} bytes (every compression model; golden cases; small checkpoints) are read into private
 * memory once and nothing done to the file afterwards can reach them. Larger files are mapped, to cost no copy;
 * for those {@link #changedOnDisk()} compares the size and modification time seen at open with the file's now,
 * and callers turn a fault into a clear error naming the file ({@link #describeFault}).
 */
public final class FileBytes implements AutoCloseable {
    /** Files up to this size are copied into memory unless {@value #COPY_LIMIT_PROPERTY} says otherwise. */
    public static final long DEFAULT_COPY_LIMIT = 256L << 20;
    /** System property: the copy limit in bytes (0 maps every file). */
    public static final String COPY_LIMIT_PROPERTY = "sodec.io.copyLimit";

    /** The open mappings, so that {@link #releasePages} can find the one a weight's bytes lie in. */
    private static final Set<FileBytes> MAPPINGS = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final Arena arena;
    private final MemorySegment bytes;
    /** The mapping itself (null for a private copy); {@link #bytes} is a plain native view of it where possible. */
    private final MemorySegment mapping;
    private final long size;
    private final FileTime modified;

    private FileBytes(Path path, Arena arena, MemorySegment bytes, MemorySegment mapping, long size, FileTime modified) {
        this.path = path;
        this.arena = arena;
        this.bytes = bytes;
        this.mapping = mapping;
        this.size = size;
        this.modified = modified;
    }

    public static long copyLimit() {
        String p = System.getProperty(COPY_LIMIT_PROPERTY);
        if (p == null) return DEFAULT_COPY_LIMIT;
        try {
            return Long.parseLong(p.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(COPY_LIMIT_PROPERTY + " must be a number of bytes, not '" + p + "'");
        }
    }

    public static FileBytes open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            FileTime modified = Files.getLastModifiedTime(path);
            long size = ch.size();
            if (size > copyLimit()) {
                MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                FileBytes fb = new FileBytes(path, arena, plainView(m, arena), m, size, modified);
                MAPPINGS.add(fb);
                return fb;
            }
            MemorySegment copy = arena.allocate(Math.max(size, 1), 64).asSlice(0, size);
            ByteBuffer buf = copy.asByteBuffer();
            while (buf.hasRemaining()) {
                if (ch.read(buf, buf.position()) < 0) {
                    throw new IOException(path.getFileName() + ": the file shrank from " + size + " to " + buf.position()
                            + " bytes while it was being read");
                }
            }
            return new FileBytes(path, arena, copy.asReadOnly(), null, size, modified);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * The mapping as a plain native segment over the same pages, with the same lifetime, when the JVM grants this
     * code native access (else the mapping itself). Why: the CPU kernels' vector loads all go through the JDK's one
     * {@code FloatVector.fromMemorySegment}, whose type profile is shared by every caller in the process. Once a
     * mapped segment (a class of its own) has been read there, C2 compiles each kernel's segment loads with a type
     * switch and per-load checks it cannot hoist: a packed linear (1024x320 by 2560, one thread) ran at 68 GFLOP/s
     * instead of 99 after one mapped weight had been read with vectors anywhere in the JVM, and at about that rate
     * inside the SD UNet. Faults on the view surface as on the mapping (both are unsafe accesses to the same pages).
     */
    private static MemorySegment plainView(MemorySegment mapping, Arena arena) {
        if (!FileBytes.class.getModule().isNativeAccessEnabled()) return mapping;
        return MemorySegment.ofAddress(mapping.address()).reinterpret(mapping.byteSize(), arena, null).asReadOnly();
    }

    /**
     * Lets this process's pages of {@code part} go when it lies in an open mapped file (its contents stay in the
     * file and are read back if touched again); nothing for other memory. For a weight whose kernels read only a
     * packed or transformed copy.
     */
    public static void releasePages(MemorySegment part) {
        if (part.isMapped()) {
            part.unload();
            return;
        }
        long at = part.address(), n = part.byteSize();
        for (FileBytes fb : MAPPINGS) {
            long base = fb.bytes.address();
            if (at >= base && at + n <= base + fb.size) {
                try {
                    fb.mapping.asSlice(at - base, n).unload();
                } catch (IllegalStateException closedMeanwhile) {
                    // the file was closed beside us: its pages are gone already
                }
                return;
            }
        }
    }

    public Path path() { return path; }

    /** The whole file, read-only. */
    public MemorySegment bytes() { return bytes; }

    /** Whether the bytes are a mapping of the file (large files) rather than a private copy. */
    public boolean mapped() { return mapping != null; }

    /**
     * Whether a mapped file now has another size or modification time than at open (its bytes may have changed
     * under the mapping, or a page may be gone). A private copy never changes: false.
     */
    public boolean changedOnDisk() {
        if (mapping == null) return false;
        try {
            return Files.size(path) != size || !Files.getLastModifiedTime(path).equals(modified);
        } catch (IOException e) {
            return true; // deleted or unreadable: the mapping outlives the name, but the file is not what was opened
        }
    }

    /** A one-line message for a fault while reading this file's mapping (an {@link InternalError} from the JDK). */
    public String describeFault() {
        String now;
        try {
            now = Files.size(path) + " bytes now";
        } catch (IOException e) {
            now = "gone now";
        }
        return path.getFileName() + " was truncated or rewritten while it was memory-mapped (" + size + " bytes when opened, "
                + now + "); reload it";
    }

    @Override
    public void close() {
        MAPPINGS.remove(this);
        arena.close();
    }
}
