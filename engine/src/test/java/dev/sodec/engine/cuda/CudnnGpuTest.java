package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Real cuDNN on a real GPU: every convolution case of {@link BackendOpCases} forced through cuDNN
 * (SODEC_CUDA_CONV=cudnn) against the CPU backend in F32, F16 and BF16 storage, and one timed choice printed.
 * Skipped, with the reason, where there is no CUDA driver or GPU, or where libcudnn.so.9 does not load.
 */
class CudnnGpuTest {
    @BeforeEach
    void needGpuAndCudnn() {
        Assumptions.assumeTrue(JCudaDevice.available(),
                "no CUDA driver or GPU here (libcuda.so.1 not loadable or no device): cuDNN GPU tests skipped");
    }

    private static CudaBackend backend(DType t, ConvPaths.Policy policy) {
        JCudaDevice dev = JCudaDevice.open(0);
        if (dev.convLibrary() == null) {
            String why = dev.convLibraryStatus();
            dev.close();
            Assumptions.abort(why + ": cuDNN GPU tests skipped");
        }
        return new CudaBackend("cuda", dev, t, 2, new ConvPaths(policy, dev.convLibrary(), dev.convLibraryStatus(), dev,
                ConvPaths.WORKSPACE_BYTES, ConvPaths.eventTimer(dev)));
    }

    /** One backend per storage type (one cuDNN handle), every convolution case through it, each a new shape. */
    @TestFactory
    List<DynamicTest> convolutionsOnCudnnMatchTheCpu() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            tests.add(DynamicTest.dynamicTest("cudnn " + t, () -> {
                double[] tol = CudaEmulatedBackendTest.tolerance(t);
                try (Eager cpu = new Eager(new CpuBackend(2)); CudaBackend be = backend(t, ConvPaths.Policy.CUDNN)) {
                    int cases = 0;
                    for (var e : BackendOpCases.all().entrySet()) {
                        if (!e.getKey().startsWith("conv")) continue;
                        Function<Eager, Tensor> op = e.getValue();
                        Tensor got = op.apply(new Eager(be));
                        List<String> report = be.pathReport();
                        assertEquals(++cases, report.size(), report.toString());
                        String line = report.get(report.size() - 1);
                        System.out.println(line);
                        assertTrue(line.contains(": cudnn "), e.getKey() + " ran on cuDNN: " + line);
                        assertClose("cudnn " + t + " " + e.getKey(), op.apply(cpu).toFloatArray(), got.toFloatArray(), tol[0], tol[1]);
                    }
                    assertEquals(4, cases);
                }
            }));
        }
        return tests;
    }

    /** An SD-like 3x3 convolution, timed both ways: the report line names the winner and both times. */
    @Test
    void timedChoiceIsReportedAndCorrect() {
        Tensor x = random(41, -1, 1, 1, 64, 32, 32), w = random(42, -0.1f, 0.1f, 64, 64, 3, 3), b = random(43, -1, 1, 64);
        Tensor expected;
        try (Eager cpu = new Eager(new CpuBackend(2))) {
            expected = cpu.conv2d(x, w, b, Conv2dParams.of(1, 1));
        }
        try (CudaBackend be = backend(DType.F16, ConvPaths.Policy.AUTO)) {
            Tensor got = new Eager(be).conv2d(x, w, b, Conv2dParams.of(1, 1));
            String line = be.pathReport().get(0);
            System.out.println(line);
            System.out.println(be.description());
            assertTrue(line.startsWith("conv 3x3 64->64 32x32 f16: ") && line.contains(" ms vs "), line);
            double[] tol = CudaEmulatedBackendTest.tolerance(DType.F16);
            assertClose("timed conv", expected.toFloatArray(), got.toFloatArray(), tol[0], tol[1]);
        }
    }
}
