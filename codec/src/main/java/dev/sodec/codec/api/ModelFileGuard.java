package dev.sodec.codec.api;

import dev.sodec.engine.io.FileBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Keeps a loaded model file honest. Small model files are read into private memory at load ({@link FileBytes}), so
 * nothing done to the file later can reach a codec that uses them. A large one stays memory-mapped; then a codec
 * call refuses to start once the file's size or modification time differ from load time, and a fault while
 * reading the mapping (the JDK's {@link InternalError} for SIGBUS on a truncated file) becomes a
 * {@link ModelFileChangedException} that names the file, instead of garbage or a dead JVM.
 */
final class ModelFileGuard {
    private final Path file;
    private final boolean mapped;
    private final long size;
    private final FileTime modified;

    private ModelFileGuard(Path file, boolean mapped, long size, FileTime modified) {
        this.file = file;
        this.mapped = mapped;
        this.size = size;
        this.modified = modified;
    }

    /** Records the file's size and time before it is opened (a change during loading is caught too). */
    static ModelFileGuard before(Path file) throws IOException {
        long size = Files.size(file);
        return new ModelFileGuard(file, size > FileBytes.copyLimit(), size, Files.getLastModifiedTime(file));
    }

    /** For a model that does not come from a file. */
    static ModelFileGuard none() {
        return new ModelFileGuard(null, false, 0, null);
    }

    boolean mapped() { return mapped; }

    /** Throws if a mapped model file has changed on disk since it was loaded. */
    void check() {
        if (!mapped) return;
        String now = current();
        if (now != null) throw changed(now);
    }

    /** What to throw for a fault while a codec call ran: the file's change when it is mapped, else the fault itself. */
    RuntimeException fault(InternalError e) {
        if (!mapped) throw e;
        String now = current();
        ModelFileChangedException x = changed(now != null ? now : "unchanged size and time, yet reading it faulted");
        x.initCause(e);
        return x;
    }

    /** The file's state now when it differs from load time, else null. */
    private String current() {
        try {
            long s = Files.size(file);
            FileTime t = Files.getLastModifiedTime(file);
            if (s == size && t.equals(modified)) return null;
            return s != size ? s + " bytes now" : "same size, modified " + t;
        } catch (IOException e) {
            return "gone now";
        }
    }

    private ModelFileChangedException changed(String now) {
        return new ModelFileChangedException("model file " + file + " was truncated or rewritten while memory-mapped ("
                + size + " bytes at load, " + now + "); load it again");
    }
}
