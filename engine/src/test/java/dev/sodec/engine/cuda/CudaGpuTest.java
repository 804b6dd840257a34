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
    void reportsItsPathAndReusesWeights() {
        try (Backend b = Backends.create("cuda", 1)) {
            CudaBackend cb = (CudaBackend) b;
            String d = cb.description();
            assertTrue(d.contains("GEMM: "), d);
            System.out.println(d);
            Tensor x = random(1, -1, 1, 64, 256);
            for (int i = 0; i < 3; i++) cb.silu(x);
            assertTrue(cb.peakScratchBytes() > 0);
        }
    }

    /** Residency and CUDA graph capture on the GPU: a chain of ops, eager vs recorded vs replayed, bit for bit. */
    @Test
    void capturedChainReplaysBitIdentically() {
        Tensor w = random(2, -1, 1, 96, 64);
        Tensor weight = Tensor.wrap(Arena.ofAuto().allocate(w.byteSize(), 64).copyFrom(w.data()).asReadOnly(), DType.F32, 96, 64);
        try (CudaBackend be = (CudaBackend) Backends.create("cuda", 1)) {
            Function<Tensor[], Tensor[]> fwd = in -> new Tensor[] {be.silu(be.add(be.linear(in[0], weight, null), in[1]))};
            Tensor x = random(3, -1, 1, 33, 64), b = random(4, -1, 1, 33, 96);
            float[] eager = fwd.apply(new Tensor[] {x, b})[0].toFloatArray();   // uploads the weight
            var before = be.transfers();
            Tensor recorded = be.captured("chain", new Tensor[] {x, b}, fwd)[0];
            Tensor replayed = be.captured("chain", new Tensor[] {x, b}, fwd)[0];
            assertEquals(new CudaBackend.GraphStats(1, 1, 0, 1), be.graphStats());
            assertArrayEquals(eager, recorded.toFloatArray());
            assertArrayEquals(eager, replayed.toFloatArray());
            assertEquals(4, be.transfers().minus(before).uploads(), "two inputs per call");
            Tensor x2 = random(5, -1, 1, 17, 64), b2 = random(6, -1, 1, 17, 96);
            assertArrayEquals(fwd.apply(new Tensor[] {x2, b2})[0].toFloatArray(),
                    be.captured("chain", new Tensor[] {x2, b2}, fwd)[0].toFloatArray());
            assertEquals(2, be.graphStats().captures(), "a new shape is a new graph");
        }
    }
}
