package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every entropy.* golden case passes through the conformance runner (bytes, tables, symbols exactly). */
class EntropyConformanceTest {
    @Test
    void allEntropyCasesPass() throws Exception {
        Path suite = Path.of(System.getProperty("sodec.shared")).resolve("golden");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (var b = Backends.create(Backends.DEFAULT, 1)) {
            s = new ConformanceRunner(Kinds.all(), b).run(suite, List.of("entropy."), new PrintStream(buf, true));
        }
        String log = buf.toString();
        assertTrue(s.results().size() >= 9, log);
        assertEquals(s.results().size(), s.count(ConformanceRunner.Status.PASS), log);
    }
}
