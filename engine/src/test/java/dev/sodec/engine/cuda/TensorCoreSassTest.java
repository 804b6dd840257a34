package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where the build had nvcc and cuobjdump, kernels/build.sh dumped the fatbin's SASS and counted instructions per
 * kernel and architecture (kernels/sass-report.txt; the build already fails without HMMA). This re-reads it: every
 * tensor-core attention, convolution and GEMM kernel the emulator registers runs HMMA (mma.sync), LDSM (ldmatrix)
 * and LDGSTS (cp.async) instructions on sm_80 and on sm_90. Skipped, and reported as skipped, without the report.
 */
class TensorCoreSassTest {

    @Test
    void tensorCoreKernelsRunHmmaOnBothArchitectures() throws IOException {
        byte[] report;
        try (InputStream in = TensorCoreSassTest.class.getResourceAsStream("/kernels/sass-report.txt")) {
            report = in == null ? null : in.readAllBytes();
        }
        assumeTrue(report != null, "no SASS report on the classpath (built without nvcc / cuobjdump)");
        Map<String, int[]> counts = new HashMap<>();
        for (String line : new String(report, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split("\\s+");   // name arch hmma N ldsm N ldgsts N
            assertEquals(8, f.length, line);
            counts.put(f[0] + " " + f[1], new int[] {Integer.parseInt(f[3]), Integer.parseInt(f[5]), Integer.parseInt(f[7])});
        }
        int checked = 0;
        for (String kernel : EmuKernelLauncher.kernelNames()) {
            if (!kernel.matches("tc_(attention|conv2d|gemm)_.*")) continue;
            for (String arch : List.of("sm_80", "sm_90")) {
                int[] c = counts.get(kernel + " " + arch);
                assertTrue(c != null, kernel + " has no " + arch + " SASS");
                assertTrue(c[0] > 0, kernel + " " + arch + ": no HMMA");
                assertTrue(c[1] > 0, kernel + " " + arch + ": no LDSM");
                assertTrue(c[2] > 0, kernel + " " + arch + ": no LDGSTS");
                checked++;
            }
        }
        assertTrue(checked >= 2 * (20 + 2 + 6), "expected every tensor-core kernel, checked " + checked);
    }
}
