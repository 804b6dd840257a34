package dev.sodec.codec.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file all or nothing: into a temporary sibling, forced to disk, then renamed over the target. When anything
 * fails on the way (a full disk, an I/O error, the content's own writer) the temporary file is removed, the target
 * keeps what it had before (or stays absent), and the IOException says which file and why on one line.
 */
public final class AtomicOutput {
    /** Produces the file's content. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Opens the temporary file for writing; tests substitute a channel that fails part way. */
    interface Opener {
        WritableByteChannel open(Path tmp) throws IOException;
    }

    static final Opener FILES = tmp -> FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);

    private AtomicOutput() {}

    public static void write(Path file, Content content) throws IOException {
        write(file, content, FILES);
    }

    static void write(Path file, Content content, Opener opener) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = null;
        boolean moved = false;
        try {
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".part");
            try (WritableByteChannel ch = opener.open(tmp);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                if (ch instanceof FileChannel fc) fc.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("cannot write " + file + ": " + why.replace('\n', ' '), e);
        } finally {
            if (!moved && tmp != null) Files.deleteIfExists(tmp);
        }
    }
}
