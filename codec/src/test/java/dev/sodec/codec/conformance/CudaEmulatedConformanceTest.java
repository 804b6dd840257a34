package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden suite on backend cuda-emulated (the CUDA backend's code, our kernels in the emulator, GEMMs on the
 * CPU) with F32, F16 and BF16 storage: every case the CPU backend passes must pass.
 */
class CudaEmulatedConformanceTest {
    private static final Path SUITE = Path.of(System.getProperty("sodec.shared")).resolve("golden");
    private static final List<String> PREFIXES = List.of("op.", "block.", "model.", "pipeline.", "onedc.");

    private static ConformanceRunner.Summary run(Backend b, StringBuilder log) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            s = new ConformanceRunner(Kinds.all(), b).run(SUITE, PREFIXES, out);
        }
        log.append(bytes.toString(StandardCharsets.UTF_8));
        return s;
    }

    private static ConformanceRunner.Summary cpuSummary;
    private static final StringBuilder CPU_LOG = new StringBuilder();

    private static synchronized ConformanceRunner.Summary cpu() throws Exception {
        if (cpuSummary == null) {
            try (CpuBackend b = new CpuBackend(2)) {
                cpuSummary = run(b, CPU_LOG);
            }
        }
        return cpuSummary;
    }

    /**
     * On {@code backendName} every op, block, model and pipeline case the CPU passes passes: under the cases' own
     * tolerances with F32 storage, under {@link TolerancePolicy}'s bounds (decoder-side for codec cases) with F16
     * and BF16 storage.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cuda-emulated", "cuda-emulated:f16", "cuda-emulated:bf16"})
    void everyCaseTheCpuPassesPassesOnCudaEmulated(String backendName) throws Exception {
        StringBuilder log = new StringBuilder();
        ConformanceRunner.Summary cpu = cpu(), cuda;
        try (Backend b = Backends.create(backendName, 2)) {
            cuda = run(b, log);
        }
        assertEquals(cpu.results().size(), cuda.results().size(), log.toString());
        assertTrue(cpu.count(ConformanceRunner.Status.PASS) >= 36, "the suite should hold the op/block/model/pipeline cases\n" + CPU_LOG);
        List<String> regressions = new ArrayList<>();
        for (int i = 0; i < cpu.results().size(); i++) {
            ConformanceRunner.CaseResult c = cpu.results().get(i), g = cuda.results().get(i);
            assertEquals(c.id(), g.id());
            if (c.status() == ConformanceRunner.Status.PASS && g.status() != ConformanceRunner.Status.PASS) {
                regressions.add(ConformanceRunner.format(g));
            }
        }
        if (!regressions.isEmpty()) fail("passes on cpu, not on " + backendName + ":\n" + String.join("\n", regressions));
    }
}
