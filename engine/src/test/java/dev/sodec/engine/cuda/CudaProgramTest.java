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
}
