package dev.sodec.codec.consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM started the way a library consumer starts one: the same java, no {@code --add-modules}, no other
 * option. Its class path puts this checkout's freshly built engine and codec classes first (surefire's own class path
 * may hold the installed engine jar when only the codec module is built).
 */
final class ForkedJvm {
    private ForkedJvm() {}

    /** The line {@code VectorApi} logs once when it falls back to scalar loops. */
    static final String WARNING = "the Java Vector API is not enabled";

    record Result(int exit, String stdout, String stderr) {
        /** How many times the fallback warning appears on stderr. */
        int warnings() {
            return stderr.split(WARNING, -1).length - 1;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static String classPath() {
        Path engine = Path.of("../engine/target/classes").toAbsolutePath().normalize();
        Path codec = Path.of("target/classes").toAbsolutePath();
        assertTrue(Files.isDirectory(engine) && Files.isDirectory(codec), "built classes of engine and codec");
        return engine + File.pathSeparator + codec + File.pathSeparator + System.getProperty("java.class.path");
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Runs {@code java -cp CP ARGS...} in {@code dir} with {@code SODEC_CACHE} under it; two minutes at most. */
    static Result run(Path dir, String cp, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", cp));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("SODEC_CACHE", dir.resolve("cache").toString());
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        assertTrue(done, "finishes within two minutes: " + cmd);
        return new Result(p.exitValue(), out, err.get());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
