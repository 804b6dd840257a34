package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.cpu.CpuBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden CompressAI model cases through the runner and the registered kinds (Kinds.all()). */
class CompressionKindsTest {
    @Test
    void bothCompressAiModelCasesPass() throws Exception {
        Path golden = Path.of(System.getProperty("sodec.shared")).resolve("golden");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (CpuBackend cpu = new CpuBackend(2)) {
            ConformanceRunner.Summary s = new ConformanceRunner(Kinds.all(), cpu)
                    .run(golden, List.of("model.compressai."), new PrintStream(log, true));
            assertEquals(2, s.results().size(), log.toString());
            for (ConformanceRunner.CaseResult r : s.results()) {
                assertEquals(ConformanceRunner.Status.PASS, r.status(), ConformanceRunner.format(r));
            }
        }
    }
}
