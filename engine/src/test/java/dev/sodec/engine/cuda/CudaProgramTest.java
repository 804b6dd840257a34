package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.backend.Transfers;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Profile;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The CUDA executor on the emulated device: what crosses the bus in a planned run, device graph recording and
 * replay, constants shared between programs and freed with the last one, device memory returned when programs close.
 */
class CudaProgramTest {
    /** linear -> add -> silu over two inputs and one weight. */
    static Graph chain(Tensor weight, int rows) {
        Graph g = new Graph();
        Node x = g.input("x", rows, 64), b = g.input("b", rows, 96);
        g.output("y", g.silu(g.add(g.linear(x, weight, null), b)));
        return g;
    }

    static void replaysBitIdentically(String backendName) {
        Tensor w = random(2, -1, 1, 96, 64);
        Tensor x = random(3, -1, 1, 33, 64), b = random(4, -1, 1, 33, 96);
        try (CudaBackend be = (CudaBackend) Backends.create(backendName, 1);
             Executable e = Executable.compile(be, chain(w, 33))) {
            Transfers t0 = be.transfers();
            assertEquals(1, t0.weightUploads(), "the weight is uploaded when the program is prepared");
            float[] profiled = e.run(new Profile(), x, b)[0].toFloatArray();   // node by node
            float[] recorded = e.run(x, b)[0].toFloatArray();                   // recorded as a device graph, launched
            float[] replayed = e.run(x, b)[0].toFloatArray();                   // replayed
            assertArrayEquals(profiled, recorded);
            assertArrayEquals(profiled, replayed);
            Transfers d = be.transfers().minus(t0);
            assertEquals(new Transfers(6, 3 * (x.byteSize() + b.byteSize()) * be.elementBytes() / 4, 3,
                    3 * 33 * 96 * be.elementBytes(), 0, 0), d, "per run: two uploads, one download, no weights");
            try (CpuBackend cpu = new CpuBackend(1); Executable ref = Executable.compile(cpu, chain(w, 33))) {
                float[] expected = ref.run(x, b)[0].toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertTrue(Math.abs(expected[i] - replayed[i]) <= 2e-5 * (1 + Math.abs(expected[i])), "element " + i);
                }
            }
        }
    }

    @Test
    void emulatedReplaysBitIdentically() {
        replaysBitIdentically("cuda-emulated");
    }

    @Test
    void constantsAreSharedAndFreedWithTheLastProgram() {
        Tensor w = random(5, -1, 1, 96, 64);
        EmulatedDevice dev = new EmulatedDevice(1, false);
        try (CudaBackend be = new CudaBackend("cuda-emulated", dev, DType.F32, 1)) {
            Executable a = Executable.compile(be, chain(w, 7));
            Executable c = Executable.compile(be, chain(w, 9));
            assertEquals(1, be.transfers().weightUploads(), "two programs, one copy of the weight");
            assertEquals(1, be.residentConstants());
            a.run(random(6, -1, 1, 7, 64), random(7, -1, 1, 7, 96));
            c.run(random(8, -1, 1, 9, 64), random(9, -1, 1, 9, 96));
            assertEquals(3, dev.liveBlocks(), "one weight and one arena per program");
            a.close();
            assertEquals(1, be.residentConstants(), "still read by the other program");
            c.close();
            assertEquals(0, be.residentConstants());
            assertEquals(0, dev.liveBlocks(), "device memory returns when the programs close, not by GC");
        }
    }

    /**
     * F16/BF16 storage runs convolutions (with constant weights and input channels % 8 == 0), transposed
     * convolutions, linear layers and attention on the tensor-core kernels, epilogues (activation, residual) inside
     * the kernel; the whole graph agrees with the CPU within the storage type's rounding.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"cuda-emulated:f16", "cuda-emulated:bf16"})
    void tensorCorePathsWithFusedEpilogues(String backendName) {
        Tensor x = random(11, -1, 1, 1, 16, 9, 7);
        Tensor w1 = random(12, -0.2f, 0.2f, 16, 16, 3, 3), b1 = random(13, -0.5f, 0.5f, 16);
        Tensor wt = random(14, -0.2f, 0.2f, 16, 8, 5, 5), bt = random(15, -0.5f, 0.5f, 8);
        Tensor lw = random(16, -0.2f, 0.2f, 16, 16), lb = random(17, -0.5f, 0.5f, 16);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        Node h = g.add(in, g.silu(g.conv2d(in, w1, b1, dev.sodec.engine.backend.Conv2dParams.of(1, 1))));     // conv+silu+residual
        Node up = g.leakyRelu(g.convTranspose2d(h, wt, bt, dev.sodec.engine.backend.Conv2dParams.transposed(2, 2, 1)), 0.1f);
        Node tok = g.transpose(h.reshape(1, 16, 63));
        Node att = g.attention(tok, tok, tok, 2, 0.35f);
        Node lin = g.add(g.linear(att, lw, lb), tok);                                                            // linear+residual
        g.output("up", up);
        g.output("lin", lin);
        try (CudaBackend be = (CudaBackend) Backends.create(backendName, 1); Executable e = Executable.compile(be, g);
             CpuBackend cpu = new CpuBackend(1); Executable ref = Executable.compile(cpu, g)) {
            int tensorCore = 0;
            for (Node n : e.schedule().nodes) {
                if ((n.op == dev.sodec.engine.graph.Op.CONV2D || n.op == dev.sodec.engine.graph.Op.CONV_TRANSPOSE2D)
                        && TensorCorePaths.conv(n, be.storage())) tensorCore++;
                if (n.op == dev.sodec.engine.graph.Op.LINEAR && TensorCorePaths.linear(n, be.storage())) tensorCore++;
                if (n.op == dev.sodec.engine.graph.Op.ATTENTION && TensorCorePaths.attention(n, be.storage()) == 1) tensorCore++;
            }
            assertEquals(4, tensorCore, "conv, transposed conv, linear and attention on tensor cores");
            Tensor[] got = e.run(x), want = ref.run(x);
            double u = be.storage() == DType.F16 ? Math.scalb(1.0, -11) : Math.scalb(1.0, -8);
            for (int o = 0; o < 2; o++) {
                float[] a = got[o].toFloatArray(), b = want[o].toFloatArray();
                double err = 0, norm = 0;
                for (int i = 0; i < a.length; i++) {
                    err += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
                    norm += b[i] * (double) b[i];
                }
                assertTrue(Math.sqrt(err / norm) < 16 * u, backendName + " output " + o + ": rel_l2 " + Math.sqrt(err / norm));
            }
        }
    }
}
