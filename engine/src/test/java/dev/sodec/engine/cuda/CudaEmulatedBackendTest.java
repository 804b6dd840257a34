package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.cpu.CpuGemm;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The CUDA backend's own code on the emulated device, op by op against the CPU backend: F32 storage to F32
 * rounding, F16/BF16 storage to the tolerances their 11/8-bit significands allow (stated per precision below), and
 * the no-cuBLAS GEMM path (our conv kernel). Plus the device pool, the weight cache and backend selection.
 */
class CudaEmulatedBackendTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    /**
     * Tolerance |got - cpu| <= atol + rtol |cpu| per storage type. F32: reduction order only. F16 (2^-11 relative
     * rounding of every stored input, weight and output, F32 accumulation): 1e-2 + 1e-2 |e| for values of O(1)
     * with up to 72-term sums. BF16 (2^-8): 6e-2 + 3e-2 |e|.
     */
    static double[] tolerance(DType t) {
        return switch (t) {
            case F32 -> new double[] {2e-5, 2e-5};
            case F16 -> new double[] {1e-2, 1e-2};
            case BF16 -> new double[] {6e-2, 3e-2};
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    static List<DynamicTest> compareAll(String backendName, DType storage) {
        Map<String, Function<Eager, Tensor>> cases = BackendOpCases.all();
        List<DynamicTest> tests = new ArrayList<>();
        double[] tol = tolerance(storage);
        for (var e : cases.entrySet()) {
            tests.add(DynamicTest.dynamicTest(backendName + " " + e.getKey(), () -> {
                Tensor expected = e.getValue().apply(CPU);
                Tensor got;
                try (Backend b = Backends.create(backendName, 2)) {
                    got = e.getValue().apply(new Eager(b));
                }
                assertArrayEquals(expected.shape(), got.shape(), e.getKey() + ": shape");
                assertEquals(DType.F32, got.dtype(), e.getKey() + ": results are F32 host tensors");
                assertClose(backendName + " " + e.getKey(), expected.toFloatArray(), got.toFloatArray(), tol[0], tol[1]);
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> f32MatchesCpu() {
        return compareAll("cuda-emulated", DType.F32);
    }

    @TestFactory
    List<DynamicTest> f16MatchesCpuWithinF16Rounding() {
        return compareAll("cuda-emulated:f16", DType.F16);
    }

    @TestFactory
    List<DynamicTest> bf16MatchesCpuWithinBf16Rounding() {
        return compareAll("cuda-emulated:bf16", DType.BF16);
    }

    /** The path a GPU without libcublas.so.12 takes: GEMMs through our GEMM kernel, F32 and F16 storage. */
    @TestFactory
    List<DynamicTest> kernelGemmPathMatchesCpu() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : new String[] {"cuda-emulated:kernel-gemm", "cuda-emulated:f16:kernel-gemm"}) {
            for (DynamicTest t : compareAll(name, name.contains("f16") ? DType.F16 : DType.F32)) {
                String op = t.getDisplayName().substring(name.length() + 1);
                if (op.startsWith("linear") || op.startsWith("matmul")) tests.add(t);
            }
        }
        assertEquals(10, tests.size());
        return tests;
    }

    /** Device.gemm's transposed-A and transposed-B forms through our kernels, against CpuGemm directly. */
    @Test
    void kernelGemmHandlesTransposedOperands() {
        int batch = 2, m = 19, n = 70, k = 33;
        try (EmulatedDevice dev = new EmulatedDevice(2, true); Parallel par = new Parallel(1)) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = random(40 + (ta ? 1 : 0), -1, 1, batch, ta ? k : m, ta ? m : k);
                    Tensor bt = random(50 + (tb ? 1 : 0), -1, 1, batch, tb ? n : k, tb ? k : n);
                    float[] expected = new float[batch * m * n];
                    MemorySegment cs = Arena.ofAuto().allocate(expected.length * 4L, 64);
                    for (int i = 0; i < batch; i++) {
                        CpuGemm.sgemm(par, m, n, k, a.data(), (long) i * m * k, ta ? m : k, ta, bt.data(), (long) i * k * n,
                                tb ? k : n, tb, cs, (long) i * m * n, n, false);
                    }
                    MemorySegment.copy(cs, Tensor.F32_LE, 0, expected, 0, expected.length);
                    long pa = dev.malloc(a.byteSize()), pb = dev.malloc(bt.byteSize()), pc = dev.malloc(expected.length * 4L);
                    dev.upload(a.data(), pa);
                    dev.upload(bt.data(), pb);
                    dev.gemm(DType.F32, batch, m, n, k, pa, (long) m * k, ta, pb, (long) k * n, tb, pc);
                    Tensor got = Tensor.zeros(batch, m, n);
                    dev.download(pc, got.data());
                    assertClose("gemm transA=" + ta + " transB=" + tb, expected, got.toFloatArray(), 1e-5, 1e-5);
                    dev.free(pa);
                    dev.free(pb);
                    dev.free(pc);
                    assertEquals(0, dev.liveBlocks(), "kernel GEMM leaves no temporaries behind");
                }
            }
        }
    }

    /** The codec API shares one backend between threads: ops from several threads give the same results. */
    @Test
    void concurrentOpsAgreeWithCpu() throws Exception {
        Tensor w = random(90, -1, 1, 20, 24);
        MemorySegment ro = Arena.ofAuto().allocate(w.byteSize(), 64).copyFrom(w.data()).asReadOnly();
        Tensor weight = Tensor.wrap(ro, DType.F32, 20, 24);
        try (Backend be = Backends.create("cuda-emulated", 2)) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                int seed = 100 + t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 10; i++) {
                            Tensor x = random(seed * 31L + i, -1, 1, 7, 24);
                            Tensor expected = CPU.silu(CPU.linear(x, w, null));
                            Eager ops = new Eager(be);
                            Tensor got = ops.silu(ops.linear(x, weight, null));
                            assertClose("thread " + seed + " call " + i, expected.toFloatArray(), got.toFloatArray(), 2e-5, 2e-5);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : threads) t.join();
            if (!errors.isEmpty()) throw new AssertionError("concurrent use failed", errors.get(0));
        }
    }

    @Test
    void backendNamesAndOptions() {
        try (Backend b = Backends.create("cuda-emulated:f16", 1)) {
            assertEquals("cuda-emulated:f16", b.name());
            assertEquals(DType.F16, ((CudaBackend) b).storage());
            assertTrue(((CudaBackend) b).description().contains("CpuGemm"), ((CudaBackend) b).description());
        }
        try (Backend b = Backends.create("cuda-emulated:kernel-gemm", 1)) {
            assertTrue(((CudaBackend) b).description().contains("our CUDA-core GEMM kernel"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda-emulated:f64", 1)).getMessage().contains("unknown option 'f64'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda:kernel-gemm", 1)).getMessage().contains("kernel-gemm"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu", 1)).getMessage().contains("unknown backend 'tpu'"));
    }

    @Test
    void cudaWithoutDriverSaysSo() {
        boolean driver;
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", a);
            driver = true;
        } catch (IllegalArgumentException e) {
            driver = false;
        }
        Assumptions.assumeFalse(driver, "libcuda.so.1 loads here: the no-driver message cannot be observed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.create("cuda", 1));
        assertEquals("no CUDA driver found (libcuda.so.1 not loadable)", e.getMessage());
        assertTrue(!JCudaDevice.available());
    }

    @Test
    void badShapesAreRefusedWithClearMessages() {
        try (Backend backend = Backends.create("cuda-emulated", 1)) {
            Eager b = new Eager(backend);
            Tensor x = random(80, -1, 1, 1, 4, 5, 5);
            assertThrows(IllegalArgumentException.class, () -> b.conv2d(x, random(81, -1, 1, 3, 3, 3, 3), null, Conv2dParams.of(1, 1)));
            assertThrows(IllegalArgumentException.class, () -> b.add(x, random(82, -1, 1, 1, 4, 5, 4)));
            assertThrows(IllegalArgumentException.class, () -> b.linear(random(83, -1, 1, 2, 7), random(84, -1, 1, 3, 6), null));
            assertThrows(IllegalArgumentException.class, () -> b.attention(random(85, -1, 1, 1, 2, 8), random(86, -1, 1, 1, 3, 8),
                    random(87, -1, 1, 1, 3, 8), 3, 0.5f));
            assertThrows(IllegalArgumentException.class, () -> b.pixelShuffle(x, 3));
        }
    }
}
