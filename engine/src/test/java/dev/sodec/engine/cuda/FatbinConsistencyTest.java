package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Where nvcc built the fatbin, it must hold exactly the kernels the emulator library registers (so every kernel
 * the emulator tests is one the GPU can launch, and none is missing its SODEC_EXPORT), each for sm_80 and sm_90,
 * with no register spills (the build already fails on spills; this re-reads the shipped report). Skipped, and
 * reported as skipped, on machines without nvcc: there is no fatbin to check.
 */
class FatbinConsistencyTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FatbinConsistencyTest.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Test
    void fatbinAndEmulatorHoldTheSameKernels() throws IOException {
        byte[] report = resource("/kernels/ptxas-report.txt");
        byte[] fatbin = resource("/kernels/sodec_kernels.fatbin");
        assumeTrue(report != null && fatbin != null, "no fatbin on the classpath (built without nvcc)");
        TreeSet<String> sm80 = new TreeSet<>(), sm90 = new TreeSet<>();
        for (String line : new String(report, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split("\\s+");
            // name arch regs N stack N spill-stores N spill-loads N static-smem N
            assertEquals("0", f[7], "spill stores in " + line);
            assertEquals("0", f[9], "spill loads in " + line);
            (f[1].equals("sm_80") ? sm80 : sm90).add(f[0]);
        }
        TreeSet<String> emulator = new TreeSet<>(EmuKernelLauncher.kernelNames());
        assertEquals(emulator, sm80, "sm_80 kernels vs emulator registry");
        assertEquals(emulator, sm90, "sm_90 kernels vs emulator registry");
        String bin = new String(fatbin, StandardCharsets.ISO_8859_1);
        for (String k : emulator) assertTrue(bin.contains(k + "\0"), k + " missing from the fatbin's symbol tables");
    }
}
