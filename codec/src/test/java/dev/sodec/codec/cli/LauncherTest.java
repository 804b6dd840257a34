package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./sodec} launcher with a stand-in {@code java}: everything the program writes to stderr is there when
 * the launcher has exited (the filter that drops the JVM's incubator warning finishes first), the exit status is the
 * program's, and stdout passes through byte for byte.
 */
class LauncherTest {
    @Test
    void stderrIsCompleteAtExitAndTheStatusIsJavas(@TempDir Path tmp) throws Exception {
        Path launcher = Path.of(System.getProperty("user.dir")).resolveSibling("sodec");
        Path root = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(launcher, root.resolve("sodec"));
        Files.createDirectories(root.resolve("codec/target/lib"));
        Files.write(root.resolve("codec/target/sodec-codec-0.1.0-SNAPSHOT.jar"), new byte[0]); // present: no build
        Path javaHome = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = javaHome.resolve("java");
        Files.writeString(java, """
                #!/usr/bin/env bash
                if [ "$1" = "-version" ]; then echo 'openjdk version "25.0.1" 2025-10-21' >&2; exit 0; fi
                echo "WARNING: Using incubator modules: jdk.incubator.vector" >&2
                for i in $(seq 1 2000); do echo "message $i" >&2; done
                printf 'bytes\\0out'
                exit 7
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        // a slow filter: the launcher must wait for it (a process substitution would let the launcher exit first)
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path realGrep = Files.isExecutable(Path.of("/usr/bin/grep")) ? Path.of("/usr/bin/grep") : Path.of("/bin/grep");
        Files.writeString(bin.resolve("grep"), "#!/usr/bin/env bash\nsleep 1\nexec " + realGrep + " \"$@\"\n");
        Files.setPosixFilePermissions(bin.resolve("grep"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("sodec").toString(), "info", "x.sdc")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", javaHome.getParent().toString());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("SODEC_AOT", "0"); // no AOT recording run here (LauncherBuildTest covers it)
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher did not finish");
        }
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8); // read at once: nothing may come later
        assertEquals(7, p.exitValue());
        assertEquals(2000, lines.size(), "stderr lines present when the launcher exited");
        assertEquals("message 2000", lines.get(1999));
        assertFalse(lines.stream().anyMatch(l -> l.contains("incubator")));
        assertArrayEquals("bytes\0out".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(out));
    }
}
