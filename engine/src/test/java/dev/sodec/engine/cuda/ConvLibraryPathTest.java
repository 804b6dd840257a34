package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Profile;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The backend's side of a library convolution, on the emulated device: a stand-in library whose product is our
 * bias-free convolution kernel, so the glue around it is what is tested against the CPU backend: the choice made
 * before the program records its device graph, the bias and the fused epilogue (activation, residual) added after
 * the library's product, replay, and one preparation per shape across programs.
 */
class ConvLibraryPathTest {
    /** Our convolution kernels without bias, posing as a library. */
    static final class KernelLibrary implements ConvLibrary {
        private final CudaKernels k;
        final DType type;
        int prepares, runs;

        KernelLibrary(Device d, DType type) {
            this.k = new CudaKernels(d.launcher());
            this.type = type;
        }

        @Override
        public String path() {
            return "our kernels posing as a library";
        }

        @Override
        public ConvLibrary.Conv prepare(ConvShape s, long x, long w, long y, long workspace, long workspaceBytes) {
            assertEquals(type, s.type());
            assertTrue(workspace != 0 && workspaceBytes == 4096, "the backend's workspace");
            prepares++;
            return new ConvLibrary.Conv() {
                @Override
                public String algorithm() {
                    return "stand-in algo 0";
                }

                @Override
                public void run(long x, long w, long y) {
                    runs++;
                    if (s.transposed()) k.convTranspose2d(type, x, w, 0, y, s.batch(), s.cin(), s.h(), s.w(), s.cout(), s.kh(), s.kw(), s.params());
                    else k.conv2d(type, x, w, 0, y, s.batch(), s.cin(), s.h(), s.w(), s.cout(), s.kh(), s.kw(), s.params());
                }

                @Override
                public void close() {}
            };
        }
    }

    /** Forced onto the library (SODEC_CUDA_CONV=cudnn): nothing is timed. */
    private static CudaBackend backend(EmulatedDevice dev, KernelLibrary lib) {
        ConvPaths.Timer untimed = work -> {
            throw new AssertionError("forced paths are not timed");
        };
        return new CudaBackend("cuda-emulated", dev, lib.type, 2, new ConvPaths(ConvPaths.Policy.CUDNN, lib, null, dev, 4096, untimed));
    }

    /** Timed choice, the library reported faster: both paths really run on the program's buffers first. */
    private static CudaBackend timedBackend(EmulatedDevice dev, KernelLibrary lib) {
        ConvPaths.Timer libraryWins = work -> {
            int before = lib.runs;
            work.run();
            return lib.runs > before ? 0.1 : 0.2;
        };
        return new CudaBackend("cuda-emulated", dev, lib.type, 2, new ConvPaths(ConvPaths.Policy.AUTO, lib, null, dev, 4096, libraryWins));
    }

    @Test
    void everyConvolutionCaseMatchesTheCpuThroughTheLibraryPath() {
        for (DType t : new DType[] {DType.F32, DType.F16}) {
            double[] tol = CudaEmulatedBackendTest.tolerance(t);
            try (Eager cpu = new Eager(new CpuBackend(2))) {
                for (var e : BackendOpCases.all().entrySet()) {
                    if (!e.getKey().startsWith("conv")) continue;
                    Function<Eager, Tensor> op = e.getValue();
                    try (EmulatedDevice dev = new EmulatedDevice(2, false)) {
                        KernelLibrary lib = new KernelLibrary(dev, t);
                        try (CudaBackend be = backend(dev, lib)) {
                            Tensor got = op.apply(new Eager(be));
                            assertClose(t + " " + e.getKey(), op.apply(cpu).toFloatArray(), got.toFloatArray(), tol[0], tol[1]);
                            assertEquals(1, lib.prepares, e.getKey());
                            assertTrue(lib.runs >= 1, e.getKey() + " ran on the library");
                            List<String> report = be.pathReport();
                            assertEquals(1, report.size(), report.toString());
                            assertTrue(report.get(0).endsWith(": stand-in algo 0 (SODEC_CUDA_CONV=cudnn, not timed)"), report.get(0));
                            assertTrue(be.description().contains("convolutions: per shape the faster of our kernels posing as a library"),
                                    be.description());
                        }
                    }
                }
            }
        }
    }

    /**
     * x -> conv 8->12 -> conv 12->8 + silu -> conv 8->8 + residual: bias and fused epilogues after the library's
     * product. The trial runs write the planned buffers, which the plan shares between values (the last
     * convolution's output may sit where x was): they must happen before x is uploaded.
     */
    private static Graph chain(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3) {
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        Conv2dParams same = Conv2dParams.of(1, 1);
        Node h1 = g.conv2d(in, w1, b1, same);
        Node h2 = g.silu(g.conv2d(h1, w2, b2, same));
        g.output("y", g.add(g.conv2d(h2, w3, b3, same), h2));
        return g;
    }

    @Test
    void aPlannedGraphChoosesBeforeRecordingAndReplaysOnTheLibrary() {
        Tensor x = random(31, -1, 1, 2, 8, 11, 9);
        Tensor w1 = random(32, -0.3f, 0.3f, 12, 8, 3, 3), b1 = random(33, -1, 1, 12);
        Tensor w2 = random(34, -0.3f, 0.3f, 8, 12, 3, 3), b2 = random(35, -1, 1, 8);
        Tensor w3 = random(36, -0.3f, 0.3f, 8, 8, 3, 3), b3 = random(37, -1, 1, 8);
        float[] expected;
        try (CpuBackend cpu = new CpuBackend(2); Executable ref = Executable.compile(cpu, chain(x, w1, b1, w2, b2, w3, b3))) {
            expected = ref.run(x)[0].toFloatArray();
        }
        for (DType t : new DType[] {DType.F32, DType.F16}) {
            double[] tol = CudaEmulatedBackendTest.tolerance(t);
            try (EmulatedDevice dev = new EmulatedDevice(2, false)) {
                KernelLibrary lib = new KernelLibrary(dev, t);
                try (CudaBackend be = timedBackend(dev, lib)) {
                    try (Executable e = Executable.compile(be, chain(x, w1, b1, w2, b2, w3, b3))) {
                        float[] recorded = e.run(x)[0].toFloatArray();   // choose, then record the device graph and launch it
                        assertEquals(3, lib.prepares, "three shapes (the epilogues differ)");
                        int runs = lib.runs;
                        float[] replayed = e.run(x)[0].toFloatArray();
                        float[] profiled = e.run(new Profile(), x)[0].toFloatArray();   // node by node
                        assertEquals(runs + 3, lib.runs, "the profiled run calls the library for each convolution");
                        assertClose(t + " recorded", expected, recorded, tol[0], tol[1]);
                        assertClose(t + " replayed", recorded, replayed, 0, 0);
                        assertClose(t + " profiled", recorded, profiled, 0, 0);
                    }
                    try (Executable again = Executable.compile(be, chain(x, w1, b1, w2, b2, w3, b3))) {
                        assertClose(t + " second program", expected, again.run(x)[0].toFloatArray(), tol[0], tol[1]);
                    }
                    assertEquals(3, lib.prepares, "the choices are kept for the backend, not made again per program");
                    String report = String.join("\n", be.pathReport());
                    assertTrue(report.contains("conv 3x3 12->8 11x9 n2 " + t.name().toLowerCase() + (t == DType.F16 ? "+silu" : "")
                            + ": stand-in algo 0 0.100 ms vs ours 0.200 ms"), report);
                }
                assertEquals(0, dev.liveBlocks(), "the workspace and every program's memory are returned");
            }
        }
    }
}
