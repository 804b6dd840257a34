package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependency direction: a program with only the engine's and the codec's classes on its class path (no
 * weights-converter, no kernels module, no JCuda) compresses and decompresses with the bundled model.
 */
class CodecWithoutConverterTest {
    @Test
    void compressAndDecompressNeedOnlyEngineAndCodec(@TempDir Path tmp) throws Exception {
        Path codecClasses = Path.of("target/classes").toAbsolutePath(), engineClasses = Path.of("../engine/target/classes").toAbsolutePath();
        assertTrue(Files.isDirectory(codecClasses) && Files.isDirectory(engineClasses), "built classes of engine and codec");
        assertFalse(Files.exists(codecClasses.resolve("dev/sodec/convert")), "the converter is not inside the codec's classes");
        Path in = Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png");
        Path sdc = tmp.resolve("x.sdc"), back = tmp.resolve("back.png");
        String cp = engineClasses + File.pathSeparator + codecClasses;
        assertEquals(0, run(tmp, cp, "compress", in.toString(), "-o", sdc.toString()));
        assertEquals(0, run(tmp, cp, "decompress", sdc.toString(), "-o", back.toString()));
        assertTrue(Files.size(sdc) > 35 && Files.size(back) > 1000);
    }

    private static int run(Path tmp, String cp, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.sodec.codec.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SODEC_CACHE", tmp.resolve("cache").toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finishes");
        if (p.exitValue() != 0) System.err.println(output);
        assertFalse(output.contains("NoClassDefFoundError") || output.contains("ClassNotFoundException"), output);
        return p.exitValue();
    }
}
