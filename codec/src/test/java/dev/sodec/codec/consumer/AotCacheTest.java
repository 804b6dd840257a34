package dev.sodec.codec.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's AOT cache recording for real: {@code AotTraining} under {@code -XX:AOTCacheOutput} with the
 * launcher's JVM options succeeds and writes a cache that a later JVM with the same options accepts
 * ({@code -XX:AOTMode=on} makes the JVM refuse to start when it cannot use the cache).
 */
class AotCacheTest {
    private static final String[] OPTS = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m",
            "-XX:+UseSerialGC"};

    @Test
    void trainingRecordsACacheTheNextJvmUses(@TempDir Path tmp) throws Exception {
        String cp = jarClassPath(tmp);
        Path aot = tmp.resolve("sodec.aot");
        ForkedJvm.Result rec = ForkedJvm.run(tmp, cp, with("-XX:AOTCacheOutput=" + aot, "dev.sodec.codec.cli.AotTraining"));
        assertEquals(0, rec.exit(), rec.toString());
        assertTrue(Files.size(aot) > 1 << 20, "a cache of some size: " + Files.size(aot));
        ForkedJvm.Result use = ForkedJvm.run(tmp, cp, with("-XX:AOTCache=" + aot, "-XX:AOTMode=on", "dev.sodec.codec.cli.Main", "--version"));
        assertEquals(0, use.exit(), use.toString());
        assertTrue(use.stdout().startsWith("sodec "), use.toString());
    }

    /**
     * The launcher's class path has jars only (an AOT cache cannot record classes from folders): the engine's and the
     * codec's built classes as jars (stored, not compressed), then the jars of this test's class path.
     */
    private static String jarClassPath(Path tmp) throws Exception {
        StringBuilder cp = new StringBuilder();
        for (String[] module : new String[][] {{"engine", "../engine/target/classes"}, {"codec", "target/classes"}}) {
            Path jar = tmp.resolve("sodec-" + module[0] + ".jar");
            int rc = ToolProvider.findFirst("jar").orElseThrow()
                    .run(System.out, System.err, "--create", "--no-compress", "--file", jar.toString(), "-C", module[1], ".");
            assertEquals(0, rc, "jar of " + module[1]);
            cp.append(jar).append(File.pathSeparator);
        }
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar") && !e.contains("sodec-engine") && !e.contains("sodec-codec")) cp.append(e).append(File.pathSeparator);
        }
        return cp.toString();
    }

    private static String[] with(String... more) {
        String[] all = new String[OPTS.length + more.length];
        System.arraycopy(OPTS, 0, all, 0, OPTS.length);
        System.arraycopy(more, 0, all, OPTS.length, more.length);
        return all;
    }
}
