package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The same op-by-op comparison against the CPU backend on a real GPU ("cuda", F32 and F16 storage). Skipped, with
 * the reason, where no CUDA driver or GPU is present (CI and the development machines have none).
 */
class CudaGpuTest {
    @BeforeEach
    void needGpu() {
        Assumptions.assumeTrue(JCudaDevice.available(),
                "no CUDA driver or GPU here (libcuda.so.1 not loadable or no device): GPU tests skipped");
    }

    @TestFactory
    List<DynamicTest> f32MatchesCpu() {
        return CudaEmulatedBackendTest.compareAll("cuda", DType.F32);
    }

    @TestFactory
    List<DynamicTest> f16MatchesCpuWithinF16Rounding() {
        return CudaEmulatedBackendTest.compareAll("cuda:f16", DType.F16);
    }

    @Test
    void reportsItsPath() {
        try (Backend b = Backends.create("cuda", 1)) {
            String d = b.description();
            assertTrue(d.contains("GEMM: "), d);
            System.out.println(d);
        }
    }

    /** A planned graph on the GPU: node by node (profiled), recorded, replayed, bit for bit; transfers counted. */
    @Test
    void plannedGraphReplaysBitIdentically() {
        CudaProgramTest.replaysBitIdentically("cuda");
    }
}
