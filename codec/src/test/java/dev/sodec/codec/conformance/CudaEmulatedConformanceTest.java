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
import org.junit.jupiter.api.Test;

/**
 * The golden suite on backend cuda-emulated (the CUDA backend's code, our kernels in the emulator, GEMMs on the
 * CPU): every case the CPU backend passes must pass, under the cases' own tolerances. And the op cases with F16
 * storage, under a looser stated tolerance.
 */
class CudaEmulatedConformanceTest {
    private static final Path SUITE = Path.of(System.getProperty("sodec.shared")).resolve("golden");
    private static final List<String> PREFIXES = List.of("op.", "block.", "model.");

    private static ConformanceRunner.Summary run(Backend b, StringBuilder log) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            s = new ConformanceRunner(Kinds.all(), b).run(SUITE, PREFIXES, out);
        }
        log.append(bytes.toString(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void everyCaseTheCpuPassesPassesOnCudaEmulated() throws Exception {
        StringBuilder log = new StringBuilder();
        ConformanceRunner.Summary cpu, cuda;
        try (CpuBackend b = new CpuBackend(2)) {
            cpu = run(b, log);
        }
        try (Backend b = Backends.create("cuda-emulated", 2)) {
            cuda = run(b, log);
        }
        assertEquals(cpu.results().size(), cuda.results().size(), log.toString());
        assertTrue(cpu.count(ConformanceRunner.Status.PASS) >= 35, "the suite should hold the op/block/model cases\n" + log);
        List<String> regressions = new ArrayList<>();
        for (int i = 0; i < cpu.results().size(); i++) {
            ConformanceRunner.CaseResult c = cpu.results().get(i), g = cuda.results().get(i);
            assertEquals(c.id(), g.id());
            if (c.status() == ConformanceRunner.Status.PASS && g.status() != ConformanceRunner.Status.PASS) {
                regressions.add(ConformanceRunner.format(g));
            }
        }
        if (!regressions.isEmpty()) fail("passes on cpu, not on cuda-emulated:\n" + String.join("\n", regressions));
    }

    /**
     * F16 storage (inputs, weights and outputs rounded to 11 significant bits, F32 accumulation) on every op case:
     * rel_l2 <= 2e-3 and max_abs <= 1e-2 * max(1, max|expected|), instead of the cases' F32 tolerances (1e-5).
     */
    @Test
    void opCasesPassInF16WithinF16Tolerance() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        double worstRel = 0;
        Kinds kinds = Kinds.all();
        try (Backend b = Backends.create("cuda-emulated:f16", 2)) {
            for (Path dir : ConformanceRunner.caseDirs(SUITE)) {
                if (!dir.getFileName().toString().startsWith("op.")) continue;
                try (GoldenCase c = GoldenCase.open(dir)) {
                    KindRunner r = kinds.get(c.kind());
                    if (r == null) continue;
                    Map<String, Tensor> got = r.run(c, b);
                    for (String name : c.outputNames()) {
                        Tensor exp = c.expected(name);
                        if (exp.dtype() != DType.F32) continue;
                        float[] e = exp.toFloatArray();
                        double maxExp = 0;
                        for (float v : e) maxExp = Math.max(maxExp, Math.abs(v));
                        Comparison cmp = Comparison.compare(name, got.get(name), exp, 2e-3, 1e-2 * Math.max(1, maxExp));
                        worstRel = Math.max(worstRel, cmp.relL2());
                        checked++;
                        if (!cmp.pass()) failures.add(c.id() + "/" + name + ": " + cmp.detail() + " rel_l2 " + cmp.relL2() + " max_abs " + cmp.maxAbs());
                    }
                }
            }
        }
        assertTrue(checked >= 25, "op outputs checked: " + checked);
        if (!failures.isEmpty()) fail("F16 op cases out of tolerance:\n" + String.join("\n", failures));
        System.out.println("cuda-emulated:f16 op cases: " + checked + " outputs, worst rel_l2 " + worstRel);
    }
}
