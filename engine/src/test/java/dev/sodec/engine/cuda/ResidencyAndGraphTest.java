package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Activation residency (op results stay on the device until host code touches them) and graph capture of the CUDA
 * backend, on the emulated device: host semantics of device-resident tensors, the exact number of host/device
 * copies of a golden ResnetBlock2D forward, and captured forwards replaying bit-identically, re-capturing on new
 * shapes and falling back to eager runs when a forward cannot be recorded.
 */
class ResidencyAndGraphTest {
    private static final CpuBackend CPU = new CpuBackend(2);
    private static SafeTensors weightsFile, ioFile;
    private static ResnetBlock2D block;
    private static int weightTensors;
    private static Tensor x, temb, expectedY;

    @BeforeAll
    static void load() throws IOException {
        Path dir = Path.of(System.getProperty("sodec.shared")).resolve("golden/block.resnet2d");
        weightsFile = SafeTensors.open(dir.resolve("weights.safetensors"));
        ioFile = SafeTensors.open(dir.resolve("io.safetensors"));
        StateDict sd = new StateDict(weightsFile.tensors(), "block.resnet2d");
        weightTensors = weightsFile.names().size();
        // in 32, out 64, temb 128, groups 8, eps 1e-5 (case.json config)
        block = ResnetBlock2D.load(sd, new ResnetBlock2D.Spec(32, 64, 128, 8, 1e-5f, 1f));
        sd.requireAllConsumed();
        // writable host copies: read-only (mmapped) tensors would be taken for weights and cached
        x = writable(ioFile.get("in.x"));
        temb = writable(ioFile.get("in.temb"));
        expectedY = ioFile.get("out.y");
    }

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Tensor writable(Tensor t) {
        return Tensor.fromFloats(t.toFloatArray(), t.shape());
    }

    private static CudaBackend emulated() {
        return (CudaBackend) Backends.create("cuda-emulated", 2);
    }

    private static void assertMatchesGolden(Tensor got) {
        float[] g = got.toFloatArray(), e = expectedY.toFloatArray();
        double num = 0, den = 0, maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            double d = g[i] - e[i];
            num += d * d;
            den += (double) e[i] * e[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        assertTrue(Math.sqrt(num / den) <= 1e-4 && maxAbs <= 4e-3, "rel_l2 " + Math.sqrt(num / den) + ", max_abs " + maxAbs);
    }

    @Test
    void deviceResultsAreReadOnceAndHostWritesAreKept() {
        Tensor a = random(1, -1, 1, 3, 8);
        try (CudaBackend be = emulated()) {
            Tensor y = be.silu(be.scale(a, 2f, 0.5f));
            assertTrue(y.onDevice(), "an op result stays on the device");
            Tensor view = y.reshape(24);
            Tensor row = y.slice(0, 1, 2);
            assertTrue(view.onDevice() && row.onDevice(), "views do not download");
            assertEquals(1, be.transfers().uploads());
            assertEquals(0, be.transfers().downloads());

            float[] expected = CPU.silu(CPU.scale(a, 2f, 0.5f)).toFloatArray();
            assertArrayEquals(expected, y.toFloatArray(), 2e-6f);
            assertEquals(1, be.transfers().downloads());
            assertFalse(y.onDevice() || view.onDevice() || row.onDevice(), "one download serves every view");
            assertEquals(expected[9], row.getFloat(1), 2e-6f);   // row 1, column 1 through the slice's offset
            assertEquals(1, be.transfers().downloads(), "views read the same host copy");

            // a host write after the download is what the next op sees (it uploads the host copy)
            y.setFloat(0, 42f);
            assertEquals(42f, view.getFloat(0));
            Tensor z = be.scale(view, 1f, 1f);
            assertEquals(43f, z.getFloat(0), 1e-6f);
            assertEquals(2, be.transfers().uploads());
        }
    }

    @Test
    void deviceTensorsOutliveTheirBackendAsHostTensors() {
        Tensor a = random(2, -1, 1, 4, 5);
        Tensor y;
        try (CudaBackend be = emulated()) {
            y = be.clamp(a, -0.5f, 0.5f);
            assertTrue(y.onDevice());
        }
        assertFalse(y.onDevice(), "close() downloads what is still on the device");
        assertArrayEquals(CPU.clamp(a, -0.5f, 0.5f).toFloatArray(), y.toFloatArray());
    }

    @Test
    void unreachableDeviceTensorsGoBackToThePool() throws InterruptedException {
        try (CudaBackend be = emulated()) {
            Tensor a = be.toDevice(random(3, -1, 1, 256, 256));
            for (int i = 0; i < 50; i++) be.scale(a, 1f, i);   // 50 results dropped at once
            long deadline = System.nanoTime() + 10_000_000_000L;
            long used;
            do {
                System.gc();
                Thread.sleep(20);
                used = be.poolUsedBytes();
            } while (used > 256 * 256 * 4 && System.nanoTime() < deadline);
            assertEquals(256 * 256 * 4, used, "only the input's block is still in use");
        }
    }

    /** ResnetBlock2D: inputs and weights go up once, the result comes down once, nothing in between. */
    @Test
    void resnetBlockMovesOnlyInputsWeightsAndResult() {
        try (CudaBackend be = emulated()) {
            var start = be.transfers();
            Tensor xd = be.toDevice(x), td = be.toDevice(temb);
            Tensor y = block.forward(be, xd, td);
            assertTrue(y.onDevice());
            var mid = be.transfers().minus(start);
            assertEquals(2, mid.uploads(), "x and temb");
            assertEquals((x.numel() + temb.numel()) * 4, mid.uploadBytes());
            assertEquals(weightTensors, mid.weightUploads(), "every weight once");
            assertEquals(0, mid.downloads(), "no intermediate comes back to the host");
            assertMatchesGolden(y);
            assertEquals(1, be.transfers().minus(start).downloads());

            // a second forward reuses the cached weights
            var before = be.transfers();
            assertMatchesGolden(block.forward(be, be.toDevice(x), be.toDevice(temb)));
            var second = be.transfers().minus(before);
            assertEquals(new CudaBackend.Transfers(2, mid.uploadBytes(), 0, 0, 1, expectedY.numel() * 4), second);

            // host inputs passed straight in are uploaded by each op that takes them: x twice (norm1, conv_shortcut)
            before = be.transfers();
            assertMatchesGolden(block.forward(be, x, temb));
            assertEquals(3, be.transfers().minus(before).uploads());
        }
    }

    private static Function<Tensor[], Tensor[]> resnet(CudaBackend be) {
        return in -> new Tensor[] {block.forward(be, in[0], in[1])};
    }

    @Test
    void capturedForwardReplaysBitIdenticallyAndRecapturesOnNewShapes() {
        try (CudaBackend be = emulated()) {
            Tensor[] in = {x, temb};
            // first call: weights are not on the device yet, so the recording is dropped and the forward runs eagerly
            float[] first = be.captured("resnet", in, resnet(be))[0].toFloatArray();
            assertEquals(new CudaBackend.GraphStats(0, 0, 1, 0), be.graphStats());
            Tensor second = be.captured("resnet", in, resnet(be))[0];   // recorded, then launched
            assertEquals(new CudaBackend.GraphStats(1, 0, 1, 1), be.graphStats());
            var before = be.transfers();
            Tensor third = be.captured("resnet", in, resnet(be))[0];    // replayed
            assertEquals(new CudaBackend.GraphStats(1, 1, 1, 1), be.graphStats());
            var replay = be.transfers().minus(before);
            assertEquals(new CudaBackend.Transfers(2, (x.numel() + temb.numel()) * 4, 0, 0, 0, 0), replay,
                    "a replay uploads its inputs and nothing else");
            assertArrayEquals(first, second.toFloatArray(), "captured run = eager run, bit for bit");
            assertArrayEquals(first, third.toFloatArray(), "replay = eager run, bit for bit");
            assertMatchesGolden(third);

            // new input values through the same graph: the result equals an eager forward on them, and the earlier
            // outputs (copied out of the graph's memory) are not overwritten by the replay
            Tensor earlier = be.captured("resnet", in, resnet(be))[0];
            Tensor x2 = random(7, -2, 2, x.shape()), t2 = random(8, -1, 1, temb.shape());
            float[] replayed = be.captured("resnet", new Tensor[] {x2, t2}, resnet(be))[0].toFloatArray();
            assertArrayEquals(block.forward(be, x2, t2).toFloatArray(), replayed);
            assertArrayEquals(first, earlier.toFloatArray(), "a later replay leaves earlier outputs alone");
            assertEquals(3, be.graphStats().replays());

            // another spatial size is another graph, captured at once (weights are cached now)
            Tensor x3 = random(9, -1, 1, 1, 32, 4, 6);
            float[] small = be.captured("resnet", new Tensor[] {x3, temb}, resnet(be))[0].toFloatArray();
            assertEquals(new CudaBackend.GraphStats(2, 3, 1, 2), be.graphStats());
            assertArrayEquals(block.forward(be, x3, temb).toFloatArray(), small);
            assertArrayEquals(small, be.captured("resnet", new Tensor[] {x3, temb}, resnet(be))[0].toFloatArray());
            assertArrayEquals(first, be.captured("resnet", in, resnet(be))[0].toFloatArray(), "the first graph is still there");
            assertEquals(new CudaBackend.GraphStats(2, 5, 1, 2), be.graphStats());

            // inputs already on the device are copied into the graph on the device
            before = be.transfers();
            assertArrayEquals(first, be.captured("resnet", new Tensor[] {be.toDevice(x), be.toDevice(temb)}, resnet(be))[0].toFloatArray());
            assertEquals(2, be.transfers().minus(before).uploads());
        }
    }

    @Test
    void capturedForwardsAgreeInF16Storage() {
        try (CudaBackend be = (CudaBackend) Backends.create("cuda-emulated:f16", 2)) {
            Tensor[] in = {x, temb};
            float[] eager = resnet(be).apply(in)[0].toFloatArray();
            float[] captured = be.captured("resnet", in, resnet(be))[0].toFloatArray();
            float[] replayed = be.captured("resnet", in, resnet(be))[0].toFloatArray();
            assertEquals(new CudaBackend.GraphStats(1, 1, 0, 1), be.graphStats());
            assertArrayEquals(eager, captured);
            assertArrayEquals(eager, replayed);
        }
    }

    /** A forward that looks at a device result on the host cannot be a graph: it runs eagerly, correctly. */
    @Test
    void forwardsThatReadTheHostRunEagerly() {
        try (CudaBackend be = emulated()) {
            Function<Tensor[], Tensor[]> peeking = in -> {
                Tensor h = be.silu(in[0]);
                float first = h.getFloat(0);   // a host read in the middle of the forward
                return new Tensor[] {be.scale(h, 1f, first)};
            };
            Tensor a = random(11, -1, 1, 2, 9);
            float[] expected = peeking.apply(new Tensor[] {a})[0].toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(expected, be.captured("peek", new Tensor[] {a}, peeking)[0].toFloatArray());
            }
            assertEquals(new CudaBackend.GraphStats(0, 0, 4, 0), be.graphStats(), "two attempts, then eager for good");

            // a forward reading a device tensor made outside it is refused too (the graph would bake its address)
            Tensor outside = be.toDevice(random(12, -1, 1, 2, 9));
            Function<Tensor[], Tensor[]> closure = in -> new Tensor[] {be.add(in[0], outside)};
            float[] sum = CPU.add(a, outside).toFloatArray();
            for (int i = 0; i < 3; i++) assertArrayEquals(sum, be.captured("closure", new Tensor[] {a}, closure)[0].toFloatArray());
            assertEquals(0, be.graphStats().captures());
        }
    }

    /** The emulated device records work while capturing and runs none of it until the graph is launched. */
    @Test
    void emulatedCaptureRecordsWithoutRunning() {
        try (EmulatedDevice dev = new EmulatedDevice(1, false)) {
            long p = dev.malloc(64), q = dev.malloc(64);
            MemorySegment ones = Arena.ofAuto().allocate(64).fill((byte) 1);
            dev.upload(ones, p);
            dev.beginCapture();
            dev.zero(p, 64);
            dev.copy(p, q, 64);
            assertThrows(IllegalStateException.class, () -> dev.upload(ones, p), "no host copies while capturing");
            DeviceGraph g = dev.endCapture();
            assertEquals(2, g.operations());
            MemorySegment host = Arena.ofAuto().allocate(64);
            dev.download(p, host);
            assertEquals(1, host.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0), "nothing ran while recording");
            g.launch();
            dev.download(q, host);
            assertEquals(0, host.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 63), "the launch ran the recorded work");
            g.close();
            dev.free(p);
            dev.free(q);
        }
    }

    /** A scope frees the device blocks of everything made inside it except what it keeps, without waiting for GC. */
    @Test
    void scopeFreesIntermediatesAndKeepsWhatItIsTold() {
        try (CudaBackend be = emulated()) {
            Tensor a = be.toDevice(random(13, -1, 1, 64, 64));
            long inputBytes = 64 * 64 * 4;
            Tensor kept, dropped, early;
            try (CudaBackend.Scope s = be.scope()) {
                Tensor h = be.silu(a);
                dropped = be.scale(h, 2f, 0f);
                early = be.scale(h, 3f, 0f);
                early.toFloatArray();   // downloaded inside the scope: a host tensor, untouched by close
                kept = s.keep(be.add(h, dropped));
                assertTrue(be.poolUsedBytes() >= inputBytes * 4);
            }
            assertEquals(inputBytes * 2, be.poolUsedBytes(), "the input and the kept result are all that is left");
            float[] expected = CPU.add(CPU.silu(a), CPU.scale(CPU.silu(a), 2f, 0f)).toFloatArray();
            assertArrayEquals(expected, kept.toFloatArray(), 1e-6f);
            assertArrayEquals(CPU.scale(CPU.silu(a), 3f, 0f).toFloatArray(), early.toFloatArray(), 1e-6f);
            IllegalStateException e = assertThrows(IllegalStateException.class, dropped::toFloatArray);
            assertTrue(e.getMessage().contains("freed when its CudaBackend.Scope closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> be.silu(dropped), "nor can an op read it");
        }
    }
}
