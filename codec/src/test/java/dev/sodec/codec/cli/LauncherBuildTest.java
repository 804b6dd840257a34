package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the {@code ./sodec} launcher builds and how it starts the JVM, with stand-in {@code mvn} and {@code java}
 * that log their arguments: a build for a CPU command skips the CUDA kernels and the javadoc, a command naming a cuda
 * backend builds the kernels once; the AOT cache is recorded once per build by {@code AotTraining}, then passed to
 * every call, recorded again when the jars change, not retried after a failed recording, and left out with
 * {@code SODEC_AOT=0}.
 */
class LauncherBuildTest {
    @TempDir
    Path tmp;
    private Path root, log, jar, aot;

    @BeforeEach
    void checkout() throws Exception {
        root = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(Path.of(System.getProperty("user.dir")).resolveSibling("sodec"), root.resolve("sodec"));
        log = tmp.resolve("calls.log");
        jar = root.resolve("codec/target/sodec-codec-0.1.0-SNAPSHOT.jar");
        aot = root.resolve("codec/target/sodec.aot");
        Path jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
        Files.writeString(jdk.resolveSibling("release"), "JAVA_VERSION=\"25.0.1\"\n");
        // java: logs its arguments; a recording run creates the file named by -XX:AOTCacheOutput (unless told to fail)
        script(jdk.resolve("java"), """
                #!/usr/bin/env bash
                echo "java $*" >> "$CALLS"
                for a in "$@"; do
                  case "$a" in -XX:AOTCacheOutput=*) [ -n "${FAIL_TRAINING:-}" ] && exit 1; touch "${a#*=}";; esac
                done
                exit 0
                """);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        script(bin.resolve("mvn"), """
                #!/usr/bin/env bash
                echo "mvn $*" >> "$CALLS"
                [ -n "${FAIL_BUILD:-}" ] && { echo "[ERROR] COMPILATION ERROR"; exit 1; }
                mkdir -p codec/target/lib && touch codec/target/sodec-codec-0.1.0-SNAPSHOT.jar
                """);
    }

    private static void script(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs the launcher, expecting success; returns the calls it made (one line per mvn or java run). */
    private List<String> sodec(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("out")));
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    private Process start(Map<String, String> env, String... args) throws Exception {
        Files.deleteIfExists(log);
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("sodec").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out").toFile());
        pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("CALLS", log.toString());
        pb.environment().remove("SODEC_AOT");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finishes");
        return p;
    }

    private static long count(List<String> calls, String part) {
        return calls.stream().filter(c -> c.contains(part)).count();
    }

    /**
     * A build that fails after a source changed stops the call (exit 1, Maven's message, no JVM run) although the
     * previous jar is still there, and the next call builds again: the old jar was once run and marked as built.
     */
    @Test
    void aFailedBuildStopsTheCallEvenWithAnOlderJar() throws Exception {
        sodec(Map.of(), "info", "x.sdc");
        Path src = Files.createDirectories(root.resolve("codec/src/main/java")).resolve("A.java");
        Files.writeString(src, "class A {}");
        Files.setLastModifiedTime(src, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
        Files.deleteIfExists(log);
        Process p = start(Map.of("FAIL_BUILD", "1"), "info", "x.sdc");
        String out = Files.readString(tmp.resolve("out"));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("[ERROR] COMPILATION ERROR") && out.contains("sodec: build failed"), out);
        assertEquals(0, count(Files.readAllLines(log), "java "), "no JVM run on the old jar");
        assertEquals(1, count(sodec(Map.of(), "info", "x.sdc"), "mvn "), "the next call builds again");
    }

    @Test
    void cpuBuildsSkipTheKernelsAndCudaCallsBuildThemOnce() throws Exception {
        List<String> first = sodec(Map.of(), "info", "x.sdc");
        assertEquals(1, count(first, "mvn "), first.toString());
        assertTrue(first.get(0).contains("-Dsodec.skipKernels=true") && first.get(0).contains("-Dmaven.javadoc.skip=true"), first.get(0));
        assertEquals(0, count(sodec(Map.of(), "info", "x.sdc"), "mvn "), "built: no second build");
        List<String> cuda = sodec(Map.of(), "conformance", "dir", "--backend", "cuda-emulated");
        assertEquals(1, count(cuda, "mvn "), "a cuda backend needs the kernels: " + cuda);
        assertFalse(cuda.get(0).contains("skipKernels"), cuda.get(0));
        assertEquals(0, count(sodec(Map.of(), "bench", "--backend=cuda"), "mvn "), "kernels built: no rebuild");
        assertEquals(0, count(sodec(Map.of(), "compress", "a.png"), "mvn "), "a CPU call keeps the full build");
    }

    @Test
    void theAotCacheIsRecordedOncePerBuildAndUsedByEveryCall() throws Exception {
        List<String> first = sodec(Map.of(), "info", "x.sdc");
        assertEquals(1, count(first, "-XX:AOTCacheOutput=" + aot + ".tmp."), first.toString());
        assertTrue(Files.exists(aot), "recorded under its own name, then renamed");
        assertTrue(first.stream().anyMatch(c -> c.contains("-XX:AOTCacheOutput=") && c.endsWith("dev.sodec.codec.cli.AotTraining")));
        String run = first.get(first.size() - 1);
        assertTrue(run.contains("-XX:AOTCache=" + aot) && run.endsWith("dev.sodec.codec.cli.Main info x.sdc"), run);
        assertTrue(run.contains("--add-modules jdk.incubator.vector"), run);

        List<String> second = sodec(Map.of(), "info", "x.sdc");
        assertEquals(1, second.size(), "no recording, one call: " + second);
        assertTrue(second.get(0).contains("-XX:AOTCache=" + aot), second.get(0));

        assertFalse(sodec(Map.of("SODEC_AOT", "0"), "info", "x.sdc").get(0).contains("AOTCache"), "SODEC_AOT=0");

        // new jars: the cache is stale and recorded again
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(1, count(sodec(Map.of(), "info", "x.sdc"), "-XX:AOTCacheOutput="), "recorded again after a build");
    }

    @Test
    void aFailedRecordingIsNotRetriedUntilTheNextBuild() throws Exception {
        List<String> first = sodec(Map.of("FAIL_TRAINING", "1"), "info", "x.sdc");
        assertEquals(1, count(first, "-XX:AOTCacheOutput="));
        assertFalse(Files.exists(aot));
        assertTrue(Files.readString(tmp.resolve("out")).contains("could not record the startup cache"));
        assertFalse(first.get(first.size() - 1).contains("AOTCache"), "the call runs without a cache");
        List<String> second = sodec(Map.of("FAIL_TRAINING", "1"), "info", "x.sdc");
        assertEquals(List.of(), second.stream().filter(c -> c.contains("AOTCache")).toList(), "not retried");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(1, count(sodec(Map.of(), "info", "x.sdc"), "-XX:AOTCacheOutput="), "retried after a build");
        assertTrue(Files.exists(aot));
    }
}
