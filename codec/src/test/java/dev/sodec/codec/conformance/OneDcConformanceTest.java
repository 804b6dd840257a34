package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every shared {@code onedc.*} golden case passes through the conformance runner on {@code cpu} and on
 * {@code cuda-emulated}, none skipped: entropy coding and file layout exactly (tables, indexes, stream bytes, FSQ,
 * z bytes, file bytes, our encoder's file for {@code onedc.codec}), the networks within the cases' tolerances. And
 * the release-layout checkpoint suite ({@code ../shared/checkpoints/onedc}) through the converter.
 */
class OneDcConformanceTest {
    /**
     * cdf_tables 1, scale_index 1, rans 3, fsq 1, z_pack 3, container 1, four_part 1, blocks 7 (dcb4 2, rbu 2,
     * resnet 2, attn 1), hyper_dec 1, y_prior 1, semantic_adaptor 1, dec 1, hyper_enc 1, enc 1, codec 1,
     * unet_lora 1, vae_decoder_windowed 1, pipeline 1.
     */
    private static final int CASES = 28;
    private static final Path SHARED = Path.of(System.getProperty("sodec.shared"));

    private static ConformanceRunner.Summary run(String backend, Path suite, List<String> prefixes, StringBuilder log) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (Backend b = Backends.create(backend, 2); PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            s = new ConformanceRunner(Kinds.all(), b).run(suite, prefixes, out);
        }
        log.append(buf.toString(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void allOneDcCasesPassOnCpu() throws Exception {
        StringBuilder log = new StringBuilder();
        ConformanceRunner.Summary s = run(Backends.DEFAULT, SHARED.resolve("golden"), List.of("onedc."), log);
        assertEquals(CASES, s.results().size(), log.toString());
        assertEquals(CASES, s.count(ConformanceRunner.Status.PASS), log.toString());
    }

    @Test
    void allOneDcCasesPassOnCudaEmulated() throws Exception {
        StringBuilder log = new StringBuilder();
        ConformanceRunner.Summary s = run("cuda-emulated", SHARED.resolve("golden"), List.of("onedc."), log);
        assertEquals(CASES, s.results().size(), log.toString());
        assertEquals(CASES, s.count(ConformanceRunner.Status.PASS), log.toString());
    }

    @Test
    void releaseCheckpointPasses() throws Exception {
        StringBuilder log = new StringBuilder();
        ConformanceRunner.Summary s = run(Backends.DEFAULT, SHARED.resolve("checkpoints/onedc"), List.of(), log);
        assertEquals(1, s.results().size(), log.toString());
        assertEquals(1, s.count(ConformanceRunner.Status.PASS), log.toString());
    }
}
