package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code sodec conformance ../shared/checkpoints} as a JUnit test: every case converts its checkpoint on the fly and
 * must match the expected outputs (the pre-update training checkpoint with the entropy tables built here). A case may
 * only be skipped while a golden kind it runs as is not built yet.
 */
class CheckpointConformanceTest {
    @Test
    void checkpointSuite() throws Exception {
        Path suite = Path.of(System.getProperty("sodec.shared")).resolve("checkpoints");
        Kinds kinds = Kinds.all();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (Backend b = Backends.create(Backends.DEFAULT, 0)) {
            s = new ConformanceRunner(kinds, b).run(suite, List.of(), new PrintStream(buf, true));
        }
        // The log is not printed: its expected FAIL line (the pre-update checkpoint) would read as a failure in a
        // passing build's output. Every assertion carries it instead.
        String log = buf.toString();
        assertEquals(12, s.results().size(), log);
        for (ConformanceRunner.CaseResult r : s.results()) {
            switch (r.status()) {
                case SKIP -> assertTrue(kinds.get(r.kind()) == null, r.id() + " skipped although its kind is registered");
                case FAIL -> throw new AssertionError(r.id() + " failed: " + r.detail() + "\n" + log);
                case PASS -> { }
            }
        }
    }
}
