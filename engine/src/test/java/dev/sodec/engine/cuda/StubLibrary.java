package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds a recording stand-in for a CUDA library (test resources: cublas-stub, cudnn-stub) with the C compiler, so
 * an FFM binding can be checked against C signatures on a machine without CUDA. Aborts the test, saying so, where
 * there is no gcc.
 */
final class StubLibrary {
    private StubLibrary() {}

    /** Compiles the C file at classpath {@code resource} into {@code dir/name}; returns the library's path. */
    static Path compile(String resource, Path dir, String name) throws Exception {
        Path src = Path.of(StubLibrary.class.getResource(resource).toURI());
        Path so = dir.resolve(name);
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-o", so.toString(), src.toString()).inheritIO().start();
        } catch (java.io.IOException e) {
            Assumptions.abort("no C compiler (gcc) here: " + e.getMessage());
            return null;
        }
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0 && Files.exists(so), resource + " compiles");
        return so;
    }
}
