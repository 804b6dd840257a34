package dev.sodec.codec.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CLI call on the CPU backend never touches JCuda (its classes and native libraries load only for {@code cuda}),
 * although the JCuda jars are on the class path: the JVM's class-loading log of a compress and a decompress names no
 * {@code jcuda.} class.
 */
class CpuCallLoadsNoJcudaTest {
    @Test
    void compressAndDecompressLoadNoJcudaClass(@TempDir Path tmp) throws Exception {
        String cp = ForkedJvm.classPath();
        assertTrue(cp.contains("jcuda"), "JCuda is on the class path: " + cp);
        Path in = Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png");
        Path sdc = tmp.resolve("x.sdc"), png = tmp.resolve("x.png");
        for (String[] call : new String[][] {{"compress", in.toString(), "-o", sdc.toString()},
                {"decompress", sdc.toString(), "-o", png.toString()}}) {
            Path classLog = tmp.resolve(call[0] + "-classes.log");
            String[] args = new String[call.length + 2];
            args[0] = "-Xlog:class+load=info:file=" + classLog;
            args[1] = "dev.sodec.codec.cli.Main";
            System.arraycopy(call, 0, args, 2, call.length);
            ForkedJvm.Result r = ForkedJvm.run(tmp, cp, args);
            assertEquals(0, r.exit(), r.toString());
            List<String> loaded = Files.readAllLines(classLog);
            assertTrue(loaded.stream().anyMatch(l -> l.contains("dev.sodec.engine.cpu.CpuBackend")), "the log lists classes");
            assertEquals(List.of(), loaded.stream().filter(l -> l.contains(" jcuda.")).toList(), call[0] + " loaded JCuda");
        }
        assertTrue(Files.size(png) > 1000);
    }
}
