package dev.sodec.codec.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a whole output at once: to standard output for {@code -}, else through a temporary sibling that is renamed
 * over the target, so a failure never leaves a partial file under the name. The file gets the mode an ordinary
 * create gives (0666 less the umask), or the mode of the file it replaces. Errors name the output, never the
 * temporary file.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /** Writes to {@code arg}: a path, or {@code -} for standard output. */
    public static void write(byte[] data, String arg) throws IOException {
        if (InputFiles.STDIO.equals(arg)) {
            writeStdout(data);
        } else {
            write(data, Path.of(arg));
        }
    }

    static void writeStdout(byte[] data) throws IOException {
        PrintStream out = System.out;
        out.write(data, 0, data.length);
        out.flush();
        if (out.checkError()) throw new IOException("cannot write to stdout");
    }

    /** Fails early, naming the output, when {@code file} cannot be created. */
    public static void checkWritable(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + file + ": it is a folder");
        Path dir = abs.getParent();
        if (dir == null) throw new IOException("cannot write " + file + ": not a file name");
        if (!Files.isDirectory(dir)) {
            Path p = dir;
            while (p != null && !Files.exists(p)) p = p.getParent();
            if (p != null && !Files.isDirectory(p)) {
                throw new IOException("cannot write " + file + ": " + p + " is a file, not a folder");
            }
            throw new IOException("cannot write " + file + ": folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + file + ": folder " + dir + " is not writable");
    }

    /** Opens the temporary file for writing; tests substitute a channel that fails part way, as a full disk does. */
    interface Opener {
        WritableByteChannel open(Path tmp) throws IOException;
    }

    private static final Opener FILES = tmp -> FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);

    /** Writes {@code data} to {@code file} whole or not at all: forced to disk before the rename. */
    public static void write(byte[] data, Path file) throws IOException {
        write(data, file, FILES);
    }

    static void write(byte[] data, Path file, Opener opener) throws IOException {
        checkWritable(file);
        Path abs = file.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = createSibling(abs);
            try (WritableByteChannel ch = opener.open(tmp)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) ch.write(buf);
                if (ch instanceof FileChannel fc) fc.force(true);
            }
            keepModeOf(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + IoMessages.reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error is the one to report
                }
            }
        }
    }

    /**
     * A new empty file beside {@code target}, created like any file (so the umask applies; {@code
     * Files.createTempFile} would make it 0600).
     */
    private static Path createSibling(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String rnd = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + rnd + ".part");
            try {
                Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 8) throw e;
            }
        }
    }

    /** When {@code target} exists, gives {@code tmp} its permissions (replacing a file keeps its mode). */
    private static void keepModeOf(Path target, Path tmp) {
        try {
            if (!Files.isRegularFile(target)) return;
            PosixFileAttributeView from = Files.getFileAttributeView(target, PosixFileAttributeView.class);
            PosixFileAttributeView to = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (from != null && to != null) to.setPermissions(from.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file keeps the umask's mode
        }
    }
}
