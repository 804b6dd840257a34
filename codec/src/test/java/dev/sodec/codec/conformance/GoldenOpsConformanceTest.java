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

/** Every op.* and block.* case of ../shared/golden must pass on the CPU backend; none may be skipped. */
class GoldenOpsConformanceTest {

    @Test
    void everyOpAndBlockCasePasses() throws Exception {
        Path suite = Path.of(System.getProperty("sodec.shared")).resolve("golden");
        List<String> prefixes = List.of("op.", "block.");
        long expected = ConformanceRunner.caseDirs(suite).stream()
                .map(p -> p.getFileName().toString())
                .filter(id -> prefixes.stream().anyMatch(id::startsWith))
                .count();
        assertTrue(expected >= 28, "the shared suite should hold the op./block. cases, found " + expected);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ConformanceRunner.Summary summary;
        try (CpuBackend cpu = new CpuBackend(2); PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            summary = new ConformanceRunner(Kinds.all(), cpu).run(suite, prefixes, out);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(expected, summary.results().size(), text);
        assertEquals(0, summary.count(ConformanceRunner.Status.SKIP), text);
        assertEquals(0, summary.count(ConformanceRunner.Status.FAIL), text);
        assertEquals(expected, summary.count(ConformanceRunner.Status.PASS), text);
    }
}
