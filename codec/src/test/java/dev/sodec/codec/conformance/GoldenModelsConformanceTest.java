package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.cpu.CpuBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden model.* cases of the SODEC networks, each loaded through the real name-map path, pass on the CPU backend. */
class GoldenModelsConformanceTest {

    private static void allPass(String prefix, int atLeast) throws Exception {
        Path suite = Path.of(System.getProperty("sodec.shared")).resolve("golden");
        long expected = ConformanceRunner.caseDirs(suite).stream()
                .filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        assertTrue(expected >= atLeast, "the shared suite should hold " + atLeast + " " + prefix + " cases, found " + expected);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ConformanceRunner.Summary summary;
        try (CpuBackend cpu = new CpuBackend(2); PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            summary = new ConformanceRunner(Kinds.all(), cpu).run(suite, List.of(prefix), out);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(expected, summary.results().size(), text);
        assertEquals(expected, summary.count(ConformanceRunner.Status.PASS), text);
    }

    @Test
    void unetCasesPass() throws Exception {
        allPass("model.unet2d_condition.", 3);
    }

    @Test
    void vaeDecoderCasePasses() throws Exception {
        allPass("model.vae_decoder", 1);
    }

    @Test
    void clipVisionCasePasses() throws Exception {
        allPass("model.clip_vision", 1);
    }
}
