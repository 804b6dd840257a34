package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared golden cases of OneDC's entropy coding and file layout pass through the conformance runner, exactly
 * (tables, indexes, stream bytes, FSQ codes and indices, z bytes, file bytes), and none is skipped.
 */
class OneDcEntropyConformanceTest {
    /** cdf_tables 1, scale_index 1, rans 3, fsq 1, z_pack 3, container 1. */
    private static final int CASES = 10;

    @Test
    void allOneDcEntropyCasesPass() throws Exception {
        Path suite = Path.of(System.getProperty("sodec.shared")).resolve("golden");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (var b = Backends.create(Backends.DEFAULT, 1)) {
            s = new ConformanceRunner(Kinds.all(), b).run(suite, List.of("onedc.cdf_tables.", "onedc.scale_index.",
                    "onedc.rans.", "onedc.fsq.", "onedc.z_pack.", "onedc.container."), new PrintStream(buf, true));
        }
        String log = buf.toString();
        assertEquals(CASES, s.results().size(), log);
        assertEquals(CASES, s.count(ConformanceRunner.Status.PASS), log);
    }
}
