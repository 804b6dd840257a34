package dev.sodec.engine.cuda;

import dev.sodec.engine.graph.MemoryPlan;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.NodeTimer;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.graph.Program;
import dev.sodec.engine.graph.Schedule;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A schedule on a CUDA device: one device arena for its activations and workspaces, its constants resident. The
 * first run first settles each convolution's path ({@link ConvPaths}: cuDNN or our kernels, timed on the arena
 * before any input is in it, so the trial runs clobber nothing and nothing is timed or allocated while a device
 * graph records). The first unprofiled run records the node loop as a device graph (CUDA stream capture; the
 * emulator's launch list) and launches it; later runs only upload the inputs, launch the graph and download the
 * outputs. A capture that fails (the device refuses it, out of memory) leaves the program running its nodes one by
 * one. A profiled run goes node by node with device events around each.
 */
final class CudaProgram implements Program {
    private final CudaBackend backend;
    private final Device device;
    private final Schedule schedule;
    private final MemoryPlan plan;
    private final Map<Node, Long> constants = new IdentityHashMap<>();
    /** Packed weights of the nodes that run tensor-core convolutions. */
    private final Map<Node, Long> packedWeights = new IdentityHashMap<>();
    private final Map<Node, PackedWeight> packedKeys = new IdentityHashMap<>();
    /** The convolutions that run on the library (cuDNN). */
    private final Map<Node, ConvLibrary.Conv> libraryConvs = new IdentityHashMap<>();
    private boolean pathsChosen;
    private long arena;
    private DeviceGraph graph;
    private boolean captureFailed, closed;

    CudaProgram(CudaBackend backend, Schedule schedule) {
        this.backend = backend;
        this.device = backend.device();
        this.schedule = schedule;
        this.plan = schedule.plan;
        try {
            for (Node c : schedule.constants) constants.put(c, backend.constants().acquire(c.constant()));
            for (Node n : schedule.nodes) {
                if ((n.op != Op.CONV2D && n.op != Op.CONV_TRANSPOSE2D) || !TensorCorePaths.conv(n, backend.storage())) continue;
                var p = n.attrs(dev.sodec.engine.graph.Attrs.Conv.class).params();
                PackedWeight key = n.op == Op.CONV2D ? PackedWeight.conv2d(n.input(1).constant())
                        : PackedWeight.convTranspose2d(n.input(1).constant(), p.strideH(), p.strideW());
                packedWeights.put(n, backend.acquirePacked(key));
                packedKeys.put(n, key);
            }
        } catch (RuntimeException e) {
            releaseConstants();
            throw e;
        }
    }

    /** Device address of {@code n}'s first element. */
    private long ptr(Node n) {
        Node root = plan.rootOf(n);
        if (root.op == Op.CONSTANT) return constants.get(root) + plan.elementOffset(n) * backend.elementBytes();
        return arena + plan.offset(n);
    }

    @Override
    public Tensor[] run(Tensor[] inputs, NodeTimer timer) {
        synchronized (backend) {
            if (closed) throw new IllegalStateException("program is closed");
            if (arena == 0) arena = device.malloc(Math.max(plan.arenaBytes(), 1));
            if (!pathsChosen) {
                chooseConvolutionPaths();
                pathsChosen = true;
            }
            for (int i = 0; i < inputs.length; i++) {
                Node in = schedule.inputs.get(i);
                if (!plan.inArena(in) || in.numel() == 0) continue;
                MemorySegment h = backend.hostInStorage(inputs[i]);
                device.upload(h, ptr(in));
                backend.countUpload(h.byteSize());
            }
            if (timer != null) {
                runNodes(timer);
            } else {
                if (graph == null && !captureFailed && !SYNC_EACH_NODE) capture();
                if (graph != null) graph.launch();
                else runNodes(null);
            }
            Tensor[] out = new Tensor[schedule.outputs.size()];
            for (int i = 0; i < out.length; i++) out[i] = download(schedule.outputs.get(i));
            return out;
        }
    }

    /**
     * Offers each convolution to the backend's {@link ConvPaths} (a cached choice, or a timed trial of the node both
     * ways on this arena). The nodes given to the library drop their packed tensor-core weights.
     */
    private void chooseConvolutionPaths() {
        ConvPaths paths = backend.convPaths();
        if (!paths.active()) return;
        CudaNodes ours = nodes(Map.of());
        for (Node n : schedule.nodes) {
            if ((n.op != Op.CONV2D && n.op != Op.CONV_TRANSPOSE2D) || n.numel() == 0) continue;
            long[] in = inputs(n);
            long y = ptr(n), ws = workspace(n);
            if (((in[0] | in[1] | y) & 15) != 0) continue;   // a view at an odd offset: cuDNN's kernels load 16-byte vectors
            ConvPaths.Choice c = paths.choose(ConvShape.of(n, backend.storage()), new ConvPaths.Trial() {
                @Override
                public ConvLibrary.Conv prepare(ConvLibrary library, long workspace, long workspaceBytes) {
                    return library.prepare(ConvShape.of(n, backend.storage()), in[0], in[1], y, workspace, workspaceBytes);
                }

                @Override
                public void runLibrary(ConvLibrary.Conv lib) {
                    nodes(Map.of(n, lib)).run(n, in, y, ws);
                }

                @Override
                public void runOurs() {
                    ours.run(n, in, y, ws);
                }
            });
            if (c.library() == null) continue;
            libraryConvs.put(n, c.library());
            PackedWeight key = packedKeys.remove(n);
            if (key != null) {
                packedWeights.remove(n);
                backend.releasePacked(key);
            }
        }
    }

    private CudaNodes nodes(Map<Node, ConvLibrary.Conv> library) {
        return new CudaNodes(backend.kernels(), backend.tensorCoreKernels(), device, backend.storage(), packedWeights, library);
    }

    private long[] inputs(Node n) {
        long[] in = new long[n.inputCount()];
        for (int i = 0; i < in.length; i++) in[i] = n.input(i) == null ? 0 : ptr(n.input(i));
        return in;
    }

    /** The node's planned workspace, 0 for none. */
    private long workspace(Node n) {
        long off = plan.workspaceOffset(n);
        return off < 0 ? 0 : arena + off;
    }

    private void capture() {
        device.beginCapture();
        try {
            runNodes(null);
            graph = device.endCapture();
        } catch (RuntimeException e) {
            device.abortCapture();
            captureFailed = true;
            // nothing ran while recording: the caller runs the nodes eagerly, and a real error surfaces there
        }
    }

    /**
     * {@code SODEC_CUDA_SYNC=1}: wait for every node and name the one that faulted (an asynchronous kernel fault
     * otherwise surfaces at a later, unrelated call); no device graph is recorded then.
     */
    static final boolean SYNC_EACH_NODE = "1".equals(System.getenv("SODEC_CUDA_SYNC"));

    private void runNodes(NodeTimer timer) {
        CudaNodes nodes = nodes(libraryConvs);
        for (Node n : schedule.nodes) {
            if (n.op.isView() || n.numel() == 0) continue;
            long[] in = inputs(n);
            long t0 = timer == null ? 0 : device.recordEvent();
            try {
                nodes.run(n, in, ptr(n), workspace(n));
                if (SYNC_EACH_NODE) device.synchronize();
            } catch (RuntimeException e) {
                throw new IllegalStateException("CUDA node " + n + " (" + dev.sodec.engine.graph.Profile.label(n) + ") failed: "
                        + e.getMessage(), e);
            }
            if (timer != null) timer.record(n, Math.round(device.elapsedMillis(t0, device.recordEvent()) * 1e6));
        }
    }

    private Tensor download(Node n) {
        int[] shape = n.shape();
        long bytes = n.numel() * backend.elementBytes();
        MemorySegment h = Arena.ofAuto().allocate(Math.max(bytes, 1), 64);
        if (bytes > 0) {
            device.download(ptr(n), h.asSlice(0, bytes));
            backend.countDownload(bytes);
        }
        Tensor t = Tensor.wrap(h, backend.storage(), shape);
        return backend.storage() == DType.F32 ? t : t.toF32();
    }

    @Override
    public void close() {
        synchronized (backend) {
            if (closed) return;
            closed = true;
            if (graph != null) graph.close();
            device.synchronize();
            if (arena != 0) device.free(arena);
            arena = 0;
        }
        releaseConstants();
        backend.closed(this);
    }

    private void releaseConstants() {
        libraryConvs.clear();   // the backend's ConvPaths owns them
        for (PackedWeight w : packedKeys.values()) backend.releasePacked(w);
        packedKeys.clear();
        packedWeights.clear();
        for (Node c : constants.keySet()) backend.constants().release(c.constant());
        constants.clear();
    }
}
