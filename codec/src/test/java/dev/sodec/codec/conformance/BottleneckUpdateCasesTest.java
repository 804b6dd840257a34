package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The entropy.bottleneck_update cases made with CompressAI 1.2.4 on torch 1.13 (resources/bottleneck-update, see
 * its README): channel counts 1..128, filters () to (12, 12) and (9, 9, 9), batches 1..4, pmf lengths 1..1127.
 * Every case passes: the rebuilt tables (and strings) exactly, the forward's floats within tolerance.
 */
class BottleneckUpdateCasesTest {
    @Test
    void everyGeneratedCasePasses() throws Exception {
        Path suite = Path.of(BottleneckUpdateCasesTest.class.getResource("/bottleneck-update/index.json").toURI()).getParent();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (var b = Backends.create(Backends.DEFAULT, 1)) {
            s = new ConformanceRunner(Kinds.all(), b).run(suite, List.of(), new PrintStream(buf, true));
        }
        String log = buf.toString();
        assertEquals(18, s.results().size(), log);
        assertEquals(18, s.count(ConformanceRunner.Status.PASS), log);
    }
}
