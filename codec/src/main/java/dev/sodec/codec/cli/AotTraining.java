package dev.sodec.codec.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The workload the {@code ./sodec} launcher runs once under {@code -XX:AOTCacheOutput} (JDK 25, JEPs 483/514/515) so
 * later calls start from an AOT cache: the classes a short CLI call loads, already parsed and linked, and the method
 * profiles of compressing and decompressing a small photo, so the JIT compiles the hot loops sooner. It runs the CLI
 * in-process on the bundled demo photo in a temporary folder: {@code compress}, {@code info}, {@code decompress}.
 * Exit status 0 when all three succeeded (the launcher keeps the cache only then).
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("sodec-aot-training");
        int rc;
        try {
            Path png = dir.resolve("train.png"), sdc = dir.resolve("train.sdc"), back = dir.resolve("back.png");
            try (InputStream in = AotTraining.class.getResourceAsStream("/dev/sodec/demo/chelsea.png")) {
                if (in == null) throw new IOException("the demo photo is missing from the jar");
                Files.copy(in, png);
            }
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            rc = Main.run(new String[] {"compress", png.toString(), "-o", sdc.toString()}, quiet, System.err);
            if (rc == 0) rc = Main.run(new String[] {"info", sdc.toString()}, quiet, System.err);
            if (rc == 0) rc = Main.run(new String[] {"decompress", sdc.toString(), "-o", back.toString()}, quiet, System.err);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(rc);
    }
}
