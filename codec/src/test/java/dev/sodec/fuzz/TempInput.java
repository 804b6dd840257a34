package dev.sodec.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One scratch file per target and thread, rewritten with each input, so the file readers are fuzzed through their
 * real entry point (open by path: size checks, mmap, close) rather than a test-only byte[] door.
 */
final class TempInput {
    private static final Path DIR;

    static {
        try {
            // tmpfs where there is one: a disk-backed /tmp costs milliseconds per write on a busy machine
            Path shm = Path.of("/dev/shm");
            DIR = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "sodec-fuzz")
                    : Files.createTempDirectory("sodec-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TempInput() {}

    /** Writes {@code data} to the scratch file {@code name} (its suffix matters to some readers) and returns it. */
    static Path write(String name, byte[] data) throws IOException {
        Path p = DIR.resolve(Thread.currentThread().threadId() + "-" + name);
        Files.write(p, data);
        p.toFile().deleteOnExit();
        return p;
    }
}
