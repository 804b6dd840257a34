package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.DeviceStorage;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The CUDA backend: every op is our kernels (through {@link CudaKernels}) plus the device's GEMM, over a
 * {@link Device}, which is a real GPU ({@link JCudaDevice}) or the host emulator ({@link EmulatedDevice}).
 *
 * <p>Residency: every op returns a device-resident F32 tensor ({@link Tensor#onDevice}) whose data stays in device
 * memory (in the storage type) until host code touches it; the next op that takes it (or a contiguous view of it:
 * reshape, a contiguous slice) reads it in place, so a chain of ops moves no activation bytes. The first host access
 * downloads it once (as F32, like the CPU backend) and frees the device copy; its device block also goes back to the
 * pool when the tensor becomes unreachable (a {@link Cleaner}). Host tensors an op takes are uploaded for that op (a
 * host tensor the caller may still write cannot be trusted to match a device copy), except tensors over read-only
 * memory (weights mmapped from safetensors): those are uploaded once and kept for the backend's lifetime, keyed by
 * their bytes' address and checked against their memory's liveness (held weakly), so a reused address of a closed
 * file is never mistaken for the old weights. {@link #transfers()} counts every host/device copy.
 *
 * <p>Graphs: {@link #captured} runs a forward as a recorded device graph (CUDA graph capture) keyed by the caller's key
 * and the input shapes, and replays it on later calls with the same key and shapes.
 *
 * <p>Precision: tensors are stored on the device as {@code storage} (F32, F16 or BF16); kernels and GEMMs accumulate
 * in F32. Ops may be called from several threads: they queue on the device's one stream, the pool and the weight
 * cache are synchronized, and a pooled block is only reused by work queued after the work that released it.
 */
public final class CudaBackend implements Backend {
    private final String name;
    private final Device device;
    private final DType storage;
    private final int threads;
    private final CudaKernels k;
    private final DevicePool pool;
    private final Map<WeightKey, Weight> weights = new HashMap<>();
    private long weightBytes;
    private int insertsSinceSweep;
    private final AtomicLong uploads = new AtomicLong(), uploadBytes = new AtomicLong(), weightUploads = new AtomicLong(),
            weightUploadBytes = new AtomicLong(), downloads = new AtomicLong(), downloadBytes = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    /** Device tensors not yet collected, so close() can download the ones still on the device first. */
    private final Map<DeviceBuffer, Boolean> live = new WeakHashMap<>();

    private record WeightKey(long address, long bytes, DType dtype) {}

    /**
     * Host/device copies since the backend was created: activation uploads (host tensors an op took), weight uploads
     * (cached read-only tensors, once each) and downloads (device tensors host code touched).
     */
    public record Transfers(long uploads, long uploadBytes, long weightUploads, long weightUploadBytes, long downloads,
                            long downloadBytes) {
        public Transfers minus(Transfers o) {
            return new Transfers(uploads - o.uploads, uploadBytes - o.uploadBytes, weightUploads - o.weightUploads,
                    weightUploadBytes - o.weightUploadBytes, downloads - o.downloads, downloadBytes - o.downloadBytes);
        }
    }

    public Transfers transfers() {
        return new Transfers(uploads.get(), uploadBytes.get(), weightUploads.get(), weightUploadBytes.get(), downloads.get(),
                downloadBytes.get());
    }

    /** Returns one device block to where it came from, once. The Cleaner's action: it holds no reference to the tensor. */
    private static final class Block implements Runnable {
        final BlockSource source;
        final long ptr;
        private boolean done;

        Block(BlockSource source, long ptr) {
            this.source = source;
            this.ptr = ptr;
        }

        @Override
        public synchronized void run() {
            if (done) return;
            done = true;
            source.release(ptr);
        }
    }

    /** The device data of a tensor an op returned: {@code elements} values of the storage type at the block. */
    private final class DeviceBuffer extends DeviceStorage {
        final Block block;
        final long elements;
        private final Cleaner.Cleanable cleanable;

        private boolean freed;   // by a closing Scope; guarded by this

        DeviceBuffer(Block block, long elements) {
            this.block = block;
            this.elements = elements;
            this.cleanable = CLEANER.register(this, block);
            synchronized (live) {
                live.put(this, Boolean.TRUE);
            }
            synchronized (scopes) {
                if (!scopes.isEmpty()) scopes.getLast().made.add(new WeakReference<>(this));
            }
        }

        /** Frees the device block now if the data is still only on the device (a Scope closing). */
        synchronized void free() {
            if (!freed && onDevice()) {
                freed = true;
                cleanable.clean();
            }
        }

        synchronized boolean isFreed() {
            return freed;
        }

        CudaBackend owner() {
            return CudaBackend.this;
        }

        @Override
        protected MemorySegment download() {
            if (capture != null) throw new NotCapturableException("the forward reads a device tensor on the host");
            if (freed) throw freedError();
            if (block.source instanceof GraphMemory g && g.isClosed()) {
                throw new IllegalStateException("a tensor made while recording a graph that was dropped holds no data");
            }
            long bytes = elements * storage.byteSize;
            MemorySegment h = Arena.ofAuto().allocate(bytes, 64);
            device.download(block.ptr, h);
            downloads.incrementAndGet();
            downloadBytes.addAndGet(bytes);
            if (storage == DType.F32) return h;
            return Tensor.wrap(h, storage, Math.toIntExact(elements)).toF32().data();
        }

        @Override
        protected void releaseDevice() {
            cleanable.clean();
        }
    }

    private static IllegalStateException freedError() {
        return new IllegalStateException("this device tensor was freed when its CudaBackend.Scope closed; keep() results "
                + "that outlive the scope, or read them inside it");
    }

    private final ArrayList<Scope> scopes = new ArrayList<>();

    /**
     * Frees device memory deterministically: every device tensor this backend makes while the scope is open (the
     * innermost open scope, from any thread) has its device block freed when the scope closes, unless it was
     * {@link #keep}-ed or already downloaded. Reading a freed tensor afterwards throws. Without a scope, blocks go
     * back to the pool when their tensors are garbage collected.
     */
    public Scope scope() {
        Scope s = new Scope();
        synchronized (scopes) {
            scopes.add(s);
        }
        return s;
    }

    public final class Scope implements AutoCloseable {
        private final List<WeakReference<DeviceBuffer>> made = new ArrayList<>();
        private final Map<DeviceBuffer, Boolean> kept = new IdentityHashMap<>();
        private boolean closed;

        private Scope() {}

        /** Exempts {@code t} (a device tensor of this backend) from this scope; an enclosing scope takes it over. */
        public Tensor keep(Tensor t) {
            if (t.deviceStorage() instanceof DeviceBuffer b && b.owner() == CudaBackend.this) {
                synchronized (scopes) {
                    kept.put(b, Boolean.TRUE);
                }
            }
            return t;
        }

        @Override
        public void close() {
            List<DeviceBuffer> toFree = new ArrayList<>();
            synchronized (scopes) {
                if (closed) return;
                closed = true;
                scopes.remove(this);
                Scope outer = scopes.isEmpty() ? null : scopes.getLast();
                for (WeakReference<DeviceBuffer> r : made) {
                    DeviceBuffer b = r.get();
                    if (b == null) continue;   // collected: its Cleaner returned the block
                    if (kept.containsKey(b)) {
                        if (outer != null) outer.made.add(r);
                    } else {
                        toFree.add(b);
                    }
                }
                made.clear();
                kept.clear();
            }
            for (DeviceBuffer b : toFree) b.free();
        }
    }

    /** Thrown inside a forward being captured when it does something a graph cannot hold; the capture falls back. */
    static final class NotCapturableException extends IllegalStateException {
        NotCapturableException(String message) {
            super("not capturable as a CUDA graph: " + message);
        }
    }

    /** The device block behind a device-resident tensor of this backend (a contiguous view points into it), else -1. */
    private long residentPointer(Tensor t) {
        if (!(t.deviceStorage() instanceof DeviceBuffer b) || b.owner() != this || !t.isContiguous()) return -1;
        if (b.isFreed()) throw freedError();
        GraphCapture c = capture;
        if (c != null && !c.memory.owns(b.block.ptr)) {
            throw new NotCapturableException("the forward reads a device tensor " + t + " that is not one of its inputs");
        }
        return b.block.ptr + t.offset() * storage.byteSize;
    }

    /**
     * A device-resident copy of {@code t} (one upload), so a forward that reads an input in several ops uploads it
     * once; {@code t} itself if it is already this backend's device tensor. Later host writes to {@code t} do not
     * reach the copy.
     */
    public Tensor toDevice(Tensor t) {
        if (!t.dtype().isFloat()) throw new IllegalArgumentException(name + ": expected a float tensor, got " + t);
        if (t.numel() == 0 || residentPointer(t) >= 0) return t;
        BlockSource source = blocks();
        long p = source.allocate(t.numel() * storage.byteSize);
        try {
            copyInput(t, p);
        } catch (RuntimeException e) {
            source.release(p);
            throw e;
        } finally {
            Reference.reachabilityFence(t);
        }
        return resident(new Block(source, p), t.shape());
    }

    /** The allocator ops use now: the graph's own memory while capturing, else the pool. */
    private BlockSource blocks() {
        GraphCapture c = capture;
        return c != null ? c.memory : pool;
    }

    /**
     * A cached upload. The source is held weakly so the cache never keeps host memory alive; while the referent is
     * reachable and its scope alive, its memory cannot be freed, so the address still holds the same bytes.
     */
    private record Weight(WeakReference<MemorySegment> source, long ptr, long bytes) {
        boolean live() {
            MemorySegment s = source.get();
            return s != null && s.scope().isAlive();
        }
    }

    /**
     * @param name the name this backend reports ("cuda", "cuda-emulated:f16" ...)
     * @param storage F32, F16 or BF16
     */
    public CudaBackend(String name, Device device, DType storage, int threads) {
        CudaKernels.suffix(storage);   // rejects other storage types with a clear message
        this.name = name;
        this.device = device;
        this.storage = storage;
        this.threads = threads;
        this.k = new CudaKernels(device.launcher());
        this.pool = new DevicePool(device);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int threads() {
        return threads;
    }

    public DType storage() {
        return storage;
    }

    @Override
    public String description() {
        return name + ": device " + device.name() + "; storage " + storage + " (F32 accumulation); kernels: ours (fatbin "
                + "or emulator); GEMM: " + device.gemmPath() + "; convolutions: our implicit-GEMM kernels; attention: our fused "
                + "kernel (head dim <= " + CudaKernels.MAX_HEAD_DIM + "), else GEMM + softmax kernels";
    }

    /** Device bytes held by cached weights. */
    public synchronized long weightBytes() {
        return weightBytes;
    }

    /** Device bytes of pool blocks in use now (device tensors not yet collected or downloaded, graph memory). */
    public long poolUsedBytes() {
        return pool.usedBytes();
    }

    /** Device bytes of the scratch pool (in use + cached) at its peak. */
    public long peakScratchBytes() {
        return pool.peakBytes();
    }

    // ------------------------------------------------------------------ device buffers

    /** Scratch buffers of one op, returned to their source when the op ends unless handed out as its result. */
    private final class Op implements AutoCloseable {
        private final BlockSource source = blocks();
        private final List<Long> owned = new ArrayList<>();
        private final Map<Tensor, Long> uploaded = new IdentityHashMap<>(4);   // self-attention passes x three times
        // Device tensors read in place stay reachable until the op ends, so their Cleaners cannot hand the blocks
        // to another allocation while the op's kernels may still read them (the emulator runs them synchronously).
        private final List<Tensor> inputs = new ArrayList<>(4);

        long alloc(long elements) {
            long p = source.allocate(Math.max(1, elements) * storage.byteSize);
            owned.add(p);
            return p;
        }

        long allocBytes(long bytes) {
            long p = source.allocate(Math.max(1, bytes));
            owned.add(p);
            return p;
        }

        /**
         * The tensor on the device in the storage type: in place for this backend's device-resident tensors, cached
         * for read-only memory, else uploaded now.
         */
        long in(Tensor t) {
            if (t == null) return 0;
            if (!t.dtype().isFloat()) throw new IllegalArgumentException(name + ": expected a float tensor, got " + t);
            long resident = residentPointer(t);
            if (resident >= 0) {
                inputs.add(t);
                return resident;
            }
            if (t.isContiguous() && t.storage().isReadOnly() && t.storage().isNative() && t.numel() > 0) return weight(t);
            Long done = uploaded.get(t);
            if (done != null) return done;
            if (capture != null) throw new NotCapturableException("the forward uploads host tensor " + t + "; pass it as an input");
            Tensor h = host(t);
            long p = alloc(t.numel());
            if (t.numel() > 0) {
                device.upload(h.data(), p);
                uploads.incrementAndGet();
                uploadBytes.addAndGet(h.byteSize());
            }
            uploaded.put(t, p);
            return p;
        }

        /** The block at p (allocated by this op) as the op's device-resident F32 result of {@code shape}. */
        Tensor out(long p, int... shape) {
            if (!owned.remove((Long) p)) throw new IllegalStateException("result block was not allocated by this op");
            return resident(new Block(source, p), shape);
        }

        @Override
        public void close() {
            for (long p : owned) source.release(p);
            Reference.reachabilityFence(inputs);
        }
    }

    private Tensor resident(Block block, int... shape) {
        return Tensor.onDevice(new DeviceBuffer(block, Shapes.numel(shape)), DType.F32, shape);
    }

    private Tensor host(Tensor t) {
        return storage == DType.F32 ? t.toF32() : t.toFloatType(storage);
    }

    private synchronized long weight(Tensor t) {
        MemorySegment data = t.data();
        WeightKey key = new WeightKey(data.address(), data.byteSize(), t.dtype());
        Weight w = weights.get(key);
        if (w != null && w.live()) return w.ptr;
        if (w != null) {   // the file it came from was closed; the address now belongs to something else
            if (capture != null) throw new NotCapturableException("weight " + t + " changed");
            weights.remove(key);
            dropGraphs();   // they may read the freed copy
            device.synchronize();
            device.free(w.ptr);
            weightBytes -= w.bytes;
        }
        if (capture != null) throw new NotCapturableException("weight " + t + " is not on the device yet (a warm-up run uploads it)");
        if (++insertsSinceSweep >= 32) sweepDeadWeights();
        Tensor h = host(t);
        long bytes = h.byteSize();
        long p = device.malloc(bytes);
        device.upload(h.data(), p);
        weightUploads.incrementAndGet();
        weightUploadBytes.addAndGet(bytes);
        weights.put(key, new Weight(new WeakReference<>(t.storage()), p, bytes));
        weightBytes += bytes;
        return p;
    }

    /** Frees the device copies of tensors whose memory was released (closed files, e.g. a finished golden case). */
    private void sweepDeadWeights() {
        insertsSinceSweep = 0;
        boolean synced = false;
        for (var it = weights.values().iterator(); it.hasNext(); ) {
            Weight w = it.next();
            if (w.live()) continue;
            if (!synced) {
                dropGraphs();   // they may read the freed copies
                device.synchronize();
                synced = true;
            }
            device.free(w.ptr);
            weightBytes -= w.bytes;
            it.remove();
        }
    }

    /** Number of tensors whose device copy is cached. */
    public synchronized int cachedWeights() {
        return weights.size();
    }

    private static int[] shapeWithLast(Tensor x, int last) {
        int[] s = x.shape();
        s[s.length - 1] = last;
        return s;
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ");
        }
    }

    private static void requireRankAtLeast(String op, Tensor x, int rank) {
        if (x.rank() < rank) throw new IllegalArgumentException(op + " needs rank >= " + rank + ", got " + Arrays.toString(x.shape()));
    }

    private static void requireVector(String op, String what, Tensor v, int n) {
        if (v != null && (v.rank() != 1 || v.dim(0) != n)) {
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v.shape()) + " is not (" + n + ")");
        }
    }

    // ------------------------------------------------------------------ graph capture

    /** Graphs kept at once; the least recently used is dropped (its device memory freed) beyond this. */
    static final int MAX_GRAPHS = 8;
    /** Capture attempts per key before it runs eagerly for good (the first usually fails on first weight uploads). */
    static final int MAX_CAPTURE_ATTEMPTS = 2;

    private volatile GraphCapture capture;   // non-null while a forward is being recorded
    // Graph state is guarded by this backend's monitor, the one weight() holds, so dropping graphs from the weight
    // cache and running a forward under captured() take the same single lock (no lock-order deadlock).
    private final Object graphLock = this;
    private final Map<GraphKey, CapturedForward> graphs = new LinkedHashMap<>(16, 0.75f, true);
    private long graphCaptures, graphReplays, eagerForwards;

    private record GraphKey(Object key, String shapes) {}

    private record OutSpec(long ptr, int[] shape) {}

    /** One key's state: a graph once captured, or how many captures failed. */
    private static final class CapturedForward {
        DeviceGraph graph;
        GraphMemory memory;
        long[] inputs;
        OutSpec[] outputs;
        int failures;
    }

    private record GraphCapture(GraphMemory memory) {}

    /**
     * A captured graph's own device memory: every block its forward allocated (inputs, intermediates, scratch).
     * While recording, released blocks are reused by later work of the same recording (it is stream-ordered); after
     * that all of them belong to the graph, which reads and writes the same addresses on every replay, until the
     * graph is dropped and they go back to the pool.
     */
    private final class GraphMemory implements BlockSource {
        private final Map<Long, Long> sizeOf = new HashMap<>();
        private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
        private boolean sealed, closed;

        @Override
        public synchronized long allocate(long bytes) {
            if (sealed || closed) throw new IllegalStateException("graph memory is sealed");
            long size = DevicePool.sizeClass(bytes);
            ArrayDeque<Long> list = free.get(size);
            long p = list != null && !list.isEmpty() ? list.pop() : pool.allocate(size);
            sizeOf.put(p, size);
            return p;
        }

        @Override
        public synchronized void release(long ptr) {
            if (sealed || closed) return;   // the graph keeps it
            Long size = sizeOf.get(ptr);
            if (size == null) throw new IllegalStateException("device block 0x" + Long.toHexString(ptr) + " is not graph memory");
            free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
        }

        synchronized boolean isClosed() {
            return closed;
        }

        synchronized boolean owns(long ptr) {
            return sizeOf.containsKey(ptr);
        }

        synchronized void seal() {
            sealed = true;
        }

        synchronized void close() {
            if (closed) return;
            closed = true;
            for (long p : sizeOf.keySet()) pool.release(p);
            sizeOf.clear();
            free.clear();
        }
    }

    /** Graphs captured, replays run and forwards run eagerly (a failed or refused capture) by {@link #captured}. */
    public record GraphStats(long captures, long replays, long eager, int cached) {}

    public GraphStats graphStats() {
        synchronized (graphLock) {
            int n = 0;
            for (CapturedForward f : graphs.values()) if (f.graph != null) n++;
            return new GraphStats(graphCaptures, graphReplays, eagerForwards, n);
        }
    }

    /**
     * Runs {@code forward} on {@code inputs} as a device graph. The graph is keyed by {@code key} and the inputs'
     * shapes: the first call with a key records the forward (CUDA stream capture; the emulator records its launch
     * list) with the inputs copied into device buffers the graph owns, then launches it; later calls copy the new
     * inputs into those buffers and replay the graph without running the Java forward at all. Outputs are copied out
     * of the graph's memory into fresh device-resident tensors, so a later replay never changes them.
     *
     * <p>The key must determine everything the forward does besides the input values: scalars it passes to ops,
     * which weights it reads. A forward that reads a device result on the host, uploads a host tensor that is not
     * an input, reads a device tensor made outside it, or first uploads a weight cannot be recorded: that attempt is
     * dropped (nothing ran), the call runs the forward eagerly instead, and after {@value #MAX_CAPTURE_ATTEMPTS}
     * failed attempts the key stays eager. So a model whose weights are not on the device yet runs eagerly once and
     * is captured on its next call. Not for use while other threads issue ops on this backend: they would be recorded.
     */
    public Tensor[] captured(Object key, Tensor[] inputs, Function<Tensor[], Tensor[]> forward) {
        StringBuilder sig = new StringBuilder();
        for (Tensor t : inputs) {
            if (!t.dtype().isFloat()) throw new IllegalArgumentException(name + ": captured forward input " + t + " is not a float tensor");
            sig.append(Arrays.toString(t.shape())).append(';');
        }
        GraphKey gk = new GraphKey(key, sig.toString());
        synchronized (graphLock) {
            CapturedForward f = graphs.get(gk);
            if (f != null && f.graph != null) {
                graphReplays++;
                return replay(f, inputs);
            }
            if (f == null) {
                f = new CapturedForward();
                graphs.put(gk, f);
                evictGraphs();
            }
            if (f.failures >= MAX_CAPTURE_ATTEMPTS) {
                eagerForwards++;
                return forward.apply(inputs);
            }
            GraphMemory memory = new GraphMemory();
            long[] in = new long[inputs.length];
            Tensor[] deviceInputs = new Tensor[inputs.length];
            OutSpec[] outs;
            DeviceGraph graph;
            try {
                for (int i = 0; i < inputs.length; i++) {
                    in[i] = memory.allocate(Math.max(1, inputs[i].numel()) * storage.byteSize);
                    copyInput(inputs[i], in[i]);
                    deviceInputs[i] = resident(new Block(memory, in[i]), inputs[i].shape());
                }
                capture = new GraphCapture(memory);
                try {
                    device.beginCapture();
                    outs = outputSpecs(forward.apply(deviceInputs), memory);
                } catch (RuntimeException e) {
                    device.abortCapture();
                    throw e;
                } finally {
                    capture = null;
                }
                graph = device.endCapture();
            } catch (NotCapturableException e) {
                memory.close();
                f.failures++;
                eagerForwards++;
                return forward.apply(inputs);
            } catch (RuntimeException e) {
                memory.close();
                throw e;
            }
            memory.seal();
            f.graph = graph;
            f.memory = memory;
            f.inputs = in;
            f.outputs = outs;
            graphCaptures++;
            graph.launch();
            return copyOutputs(f);
        }
    }

    /** Where each output of a recorded forward lives; they must be this backend's device tensors in graph memory. */
    private OutSpec[] outputSpecs(Tensor[] outs, GraphMemory memory) {
        OutSpec[] specs = new OutSpec[outs.length];
        for (int i = 0; i < outs.length; i++) {
            Tensor t = outs[i];
            if (t.numel() == 0) {
                specs[i] = new OutSpec(-1, t.shape());
                continue;
            }
            long p = residentPointer(t);
            if (p < 0) throw new NotCapturableException("output " + i + " (" + t + ") is not a contiguous device tensor of this backend");
            specs[i] = new OutSpec(p, t.shape());
        }
        return specs;
    }

    /** Puts an input into its graph buffer: a device copy for this backend's device tensors, else an upload. */
    private void copyInput(Tensor t, long dst) {
        if (t.numel() == 0) return;
        long src = residentPointer(t);
        if (src >= 0) {
            device.copy(src, dst, t.numel() * storage.byteSize);
            return;
        }
        if (capture != null) throw new NotCapturableException("the forward uploads host tensor " + t + "; pass it as an input");
        Tensor h = host(t);
        device.upload(h.data(), dst);
        uploads.incrementAndGet();
        uploadBytes.addAndGet(h.byteSize());
    }

    private Tensor[] replay(CapturedForward f, Tensor[] inputs) {
        for (int i = 0; i < inputs.length; i++) copyInput(inputs[i], f.inputs[i]);
        Reference.reachabilityFence(inputs);   // their blocks stay theirs until the copies ran or were queued
        f.graph.launch();
        return copyOutputs(f);
    }

    private Tensor[] copyOutputs(CapturedForward f) {
        Tensor[] result = new Tensor[f.outputs.length];
        for (int i = 0; i < result.length; i++) {
            OutSpec o = f.outputs[i];
            if (o.ptr < 0) {
                result[i] = Tensor.zeros(o.shape);
                continue;
            }
            long bytes = Shapes.numel(o.shape) * storage.byteSize;
            long p = pool.allocate(bytes);
            device.copy(o.ptr, p, bytes);
            result[i] = resident(new Block(pool, p), o.shape);
        }
        return result;
    }

    private void evictGraphs() {
        int captured = 0;
        for (CapturedForward f : graphs.values()) if (f.graph != null) captured++;
        for (var it = graphs.values().iterator(); captured > MAX_GRAPHS && it.hasNext(); ) {
            CapturedForward f = it.next();   // least recently used first
            if (f.graph == null) continue;
            drop(f);
            it.remove();
            captured--;
        }
    }

    private static void drop(CapturedForward f) {
        f.graph.close();
        f.memory.close();
        f.graph = null;
        f.memory = null;
    }

    /** Drops every graph (weights they read changed, or the backend closes). */
    private void dropGraphs() {
        synchronized (graphLock) {
            for (CapturedForward f : graphs.values()) if (f.graph != null) drop(f);
            graphs.clear();
        }
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Shapes.requireRank("linear weight", weight.shape(), 2);
        int in = x.dim(-1), outF = weight.dim(0);
        if (weight.dim(1) != in) throw new IllegalArgumentException("linear: input features " + in + " vs weight " + Arrays.toString(weight.shape()));
        requireVector("linear", "bias", bias, outF);
        int[] os = shapeWithLast(x, outF);
        long rows = in == 0 ? x.numel() : x.numel() / in;
        if (rows == 0 || outF == 0) return Tensor.zeros(os);
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("linear: " + rows + " rows");
        try (Op op = new Op()) {
            long y = op.alloc(rows * outF);
            long b = op.in(bias);
            if (in == 0) {
                device.zero(y, rows * outF * storage.byteSize);
            } else {
                device.gemm(storage, 1, (int) rows, outF, in, op.in(x), 0, false, op.in(weight), 0, true, y);
            }
            if (bias != null) k.binary(storage, CudaKernels.BINARY_ADD, y, b, y, rows * outF, 1, outF);
            return op.out(y, os);
        }
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 2) a = a.reshape(1, a.dim(0), a.dim(1));
        if (b.rank() == 2) b = b.reshape(1, b.dim(0), b.dim(1));
        Shapes.requireRank("matmul a", a.shape(), 3);
        Shapes.requireRank("matmul b", b.shape(), 3);
        int batch = a.dim(0), m = a.dim(1), kk = a.dim(2), n = b.dim(2);
        if (b.dim(1) != kk || (b.dim(0) != batch && b.dim(0) != 1)) throw new IllegalArgumentException("matmul shapes " + a + " x " + b);
        if ((long) batch * m * n == 0) return Tensor.zeros(batch, m, n);
        try (Op op = new Op()) {
            long c = op.alloc((long) batch * m * n);
            if (kk == 0) {
                device.zero(c, (long) batch * m * n * storage.byteSize);
            } else {
                device.gemm(storage, batch, m, n, kk, op.in(a), (long) m * kk, false, op.in(b),
                        b.dim(0) == 1 ? 0 : (long) kk * n, false, c);
            }
            return op.out(c, batch, m, n);
        }
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Shapes.requireRank("conv2d", x.shape(), 4);
        Shapes.requireRank("conv2d weight", weight.shape(), 4);
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), w = x.dim(3);
        int cout = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        if (weight.dim(1) * p.groups() != cin) {
            throw new IllegalArgumentException("conv2d: weight " + Arrays.toString(weight.shape()) + " with " + p.groups() + " groups does not fit " + cin + " input channels");
        }
        requireVector("conv2d", "bias", bias, cout);
        int oh = p.outH(h, kh), ow = p.outW(w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv2d: output size " + oh + "x" + ow + " for input " + Arrays.toString(x.shape()));
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * cout * oh * ow);
            k.conv2d(storage, op.in(x), op.in(weight), op.in(bias), y, nb, cin, h, w, cout, kh, kw, p);
            return op.out(y, nb, cout, oh, ow);
        }
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Shapes.requireRank("conv_transpose2d", x.shape(), 4);
        Shapes.requireRank("conv_transpose2d weight", weight.shape(), 4);
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (weight.dim(0) != cin) {
            throw new IllegalArgumentException("conv_transpose2d: weight " + Arrays.toString(weight.shape()) + " does not fit " + cin + " input channels");
        }
        int cout = weight.dim(1) * p.groups(), kh = weight.dim(2), kw = weight.dim(3);
        requireVector("conv_transpose2d", "bias", bias, cout);
        int oh = p.transposedOutH(h, kh), ow = p.transposedOutW(w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv_transpose2d: output size " + oh + "x" + ow);
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * cout * oh * ow);
            k.convTranspose2d(storage, op.in(x), op.in(weight), op.in(bias), y, nb, cin, h, w, cout, kh, kw, p);
            return op.out(y, nb, cout, oh, ow);
        }
    }

    // ------------------------------------------------------------------ normalisation

    @Override
    public Tensor gdn(Tensor x, Tensor beta, Tensor gamma, boolean inverse) {
        Shapes.requireRank("gdn", x.shape(), 4);
        int nb = x.dim(0), c = x.dim(1);
        long hw = (long) x.dim(2) * x.dim(3);
        requireVector("gdn", "beta", beta, c);
        if (gamma.rank() != 2 || gamma.dim(0) != c || gamma.dim(1) != c) throw new IllegalArgumentException("gdn: gamma " + Arrays.toString(gamma.shape()) + " is not (" + c + ", " + c + ")");
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.gdn(storage, op.in(x), y, op.in(beta), op.in(gamma), nb, c, hw, inverse);
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu) {
        requireRankAtLeast("groupNorm", x, 2);
        int nb = x.dim(0), c = x.dim(1);
        if (groups < 1 || c % groups != 0) throw new IllegalArgumentException("groupNorm: " + c + " channels do not split into " + groups + " groups");
        requireVector("groupNorm", "weight", weight, c);
        requireVector("groupNorm", "bias", bias, c);
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long hw = x.numel() / ((long) nb * c);
        int chunks = CudaKernels.groupNormChunks((long) (c / groups) * hw);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            long ws = op.allocBytes(CudaKernels.groupNormWorkspaceBytes(nb, groups, chunks));
            k.groupNorm(storage, op.in(x), y, op.in(weight), op.in(bias), ws, nb, c, groups, hw, eps, fuseSilu, chunks);
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        requireRankAtLeast("layerNorm", x, 1);
        int d = x.dim(-1);
        requireVector("layerNorm", "weight", weight, d);
        requireVector("layerNorm", "bias", bias, d);
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long rows = x.numel() / d;
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("layerNorm: " + rows + " rows");
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.layerNorm(storage, op.in(x), y, op.in(weight), op.in(bias), (int) rows, d, eps);
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor attention(Tensor q, Tensor kt, Tensor v, int heads, float scale) {
        Shapes.requireRank("attention q", q.shape(), 3);
        Shapes.requireRank("attention k", kt.shape(), 3);
        Shapes.requireRank("attention v", v.shape(), 3);
        int nb = q.dim(0), t = q.dim(1), c = q.dim(2), s = kt.dim(1), cv = v.dim(2);
        if (kt.dim(0) != nb || v.dim(0) != nb || kt.dim(2) != c || v.dim(1) != s) {
            throw new IllegalArgumentException("attention: q " + Arrays.toString(q.shape()) + ", k " + Arrays.toString(kt.shape())
                    + ", v " + Arrays.toString(v.shape()) + " do not fit (B,T,C), (B,S,C), (B,S,Cv)");
        }
        if (heads < 1 || c % heads != 0 || cv % heads != 0) throw new IllegalArgumentException("attention: widths " + c + "/" + cv + " are not divisible into " + heads + " heads");
        if (s == 0) throw new IllegalArgumentException("attention over zero keys");
        if (!(scale > 0) || Float.isInfinite(scale)) throw new IllegalArgumentException("attention: scale " + scale);
        if (cv != c) throw new IllegalArgumentException("attention on CUDA needs equal query and value widths, got " + c + " and " + cv);
        int dh = c / heads;
        if ((long) nb * t * c == 0) return Tensor.zeros(nb, t, cv);
        try (Op op = new Op()) {
            long o = op.alloc((long) nb * t * c);
            if (dh <= CudaKernels.MAX_HEAD_DIM) {
                AttentionLayout ql = AttentionLayout.tokensMajor(t, heads, dh), kl = AttentionLayout.tokensMajor(s, heads, dh);
                k.attention(storage, op.in(q), ql, op.in(kt), kl, op.in(v), kl, o, ql, nb, heads, t, s, dh, scale);
            } else {
                // wide heads (the VAE mid-block's single 512-wide head): GEMM, softmax, GEMM over a score matrix
                long ws = op.allocBytes(CudaKernels.attentionUnfusedWorkspaceBytes(storage, heads, t, s));
                k.attentionUnfused(storage, op.in(q), op.in(kt), op.in(v), o, ws, nb, heads, t, s, dh, scale);
            }
            return op.out(o, nb, t, cv);
        }
    }

    @Override
    public Tensor softmax(Tensor x) {
        requireRankAtLeast("softmax", x, 1);
        int d = x.dim(-1);
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long rows = x.numel() / d;
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("softmax: " + rows + " rows");
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.softmax(storage, op.in(x), y, (int) rows, d, 1f);
            return op.out(y, x.shape());
        }
    }

    // ------------------------------------------------------------------ elementwise

    private Tensor unary(Tensor x, int code, float alpha, float beta) {
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.unary(storage, code, alpha, beta, op.in(x), y, x.numel());
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor leakyRelu(Tensor x, float negativeSlope) {
        return unary(x, CudaKernels.UNARY_LEAKY_RELU, negativeSlope, 0f);
    }

    @Override
    public Tensor geluErf(Tensor x) {
        return unary(x, CudaKernels.UNARY_GELU, 0f, 0f);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return unary(x, CudaKernels.UNARY_GELU_TANH, 0f, 0f);
    }

    @Override
    public Tensor silu(Tensor x) {
        return unary(x, CudaKernels.UNARY_SILU, 0f, 0f);
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return unary(x, CudaKernels.UNARY_QUICK_GELU, 0f, 0f);
    }

    @Override
    public Tensor scale(Tensor x, float mul, float add) {
        return unary(x, CudaKernels.UNARY_SCALE, mul, add);
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp bounds " + lo + " > " + hi);
        return unary(x, CudaKernels.UNARY_CLAMP, lo, hi);
    }

    @Override
    public Tensor geglu(Tensor x) {
        requireRankAtLeast("geglu", x, 1);
        int w = x.dim(-1);
        if (w % 2 != 0) throw new IllegalArgumentException("geglu: last dim " + w + " is odd");
        int[] os = shapeWithLast(x, w / 2);
        if (x.numel() == 0) return Tensor.zeros(os);
        long rows = x.numel() / w;
        try (Op op = new Op()) {
            long y = op.alloc(rows * (w / 2));
            k.geglu(storage, op.in(x), y, rows, w / 2);
            return op.out(y, os);
        }
    }

    private Tensor binary(Tensor a, Tensor b, int code, String what) {
        requireSameShape(what, a, b);
        if (a.numel() == 0) return Tensor.zeros(a.shape());
        try (Op op = new Op()) {
            long y = op.alloc(a.numel());
            k.binary(storage, code, op.in(a), op.in(b), y, a.numel(), 1, a.numel());
            return op.out(y, a.shape());
        }
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return binary(a, b, CudaKernels.BINARY_ADD, "add");
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return binary(a, b, CudaKernels.BINARY_MUL, "mul");
    }

    @Override
    public Tensor addPerChannel(Tensor x, Tensor bias) {
        requireRankAtLeast("addPerChannel", x, 2);
        int nb = x.dim(0), c = x.dim(1);
        boolean perBatch;
        if (bias.rank() == 1 && bias.dim(0) == c) perBatch = false;
        else if (bias.rank() == 2 && bias.dim(0) == nb && bias.dim(1) == c) perBatch = true;
        else throw new IllegalArgumentException("addPerChannel: bias " + Arrays.toString(bias.shape()) + " is neither (C) nor (B, C) for x " + Arrays.toString(x.shape()));
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long inner = x.numel() / ((long) nb * c);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.binary(storage, CudaKernels.BINARY_ADD, op.in(x), op.in(bias), y, x.numel(), inner, perBatch ? (long) nb * c : c);
            return op.out(y, x.shape());
        }
    }

    // ------------------------------------------------------------------ resampling and layout

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        Shapes.requireRank("upsampleNearest", x.shape(), 4);
        Shapes.requireResampleSize("upsample_nearest", outH, outW);
        int nb = x.dim(0), c = x.dim(1);
        if (x.numel() == 0) return Tensor.zeros(nb, c, outH, outW);
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * c * outH * outW);
            k.upsampleNearest(storage, op.in(x), y, (long) nb * c, x.dim(2), x.dim(3), outH, outW);
            return op.out(y, nb, c, outH, outW);
        }
    }

    @Override
    public Tensor resizeBilinear(Tensor x, int outH, int outW) {
        Shapes.requireRank("resizeBilinear", x.shape(), 4);
        Shapes.requireResampleSize("resize_bilinear", outH, outW);
        int nb = x.dim(0), c = x.dim(1);
        if (x.numel() == 0) return Tensor.zeros(nb, c, outH, outW);
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * c * outH * outW);
            k.resizeBilinear(storage, op.in(x), y, (long) nb * c, x.dim(2), x.dim(3), outH, outW);
            return op.out(y, nb, c, outH, outW);
        }
    }

    @Override
    public Tensor pixelShuffle(Tensor x, int r) {
        Shapes.requireRank("pixelShuffle", x.shape(), 4);
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        long r2 = (long) r * r;
        if (r < 1 || r2 > c || c % r2 != 0) throw new IllegalArgumentException("pixelShuffle: " + c + " channels do not split by r^2 for r = " + r);
        int oc = (int) (c / r2);
        int[] os = {nb, oc, Math.multiplyExact(h, r), Math.multiplyExact(w, r)};
        if (x.numel() == 0) return Tensor.zeros(os);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.pixelShuffle(storage, op.in(x), y, nb, oc, h, w, r);
            return op.out(y, os);
        }
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        int d = Shapes.concatDim(dim, xs);
        int[] os = Shapes.concatShape(d, xs);
        int total = os[d];
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= os[i];
        for (int i = d + 1; i < os.length; i++) inner *= os[i];
        if (Shapes.numel(os) == 0) return Tensor.zeros(os);
        try (Op op = new Op()) {
            long y = op.alloc(Shapes.numel(os));
            int used = 0;
            for (Tensor t : xs) if (t.dim(d) > 0) used++;
            long[] srcs = new long[used], inners = new long[used];
            int i = 0;
            for (Tensor t : xs) {
                if (t.dim(d) == 0) continue;   // contributes nothing
                srcs[i] = op.in(t);
                inners[i++] = t.dim(d) * inner;
            }
            k.concat(storage, y, outer, srcs, inners);
            return op.out(y, os);
        }
    }

    @Override
    public Tensor transpose(Tensor x) {
        requireRankAtLeast("transpose", x, 2);
        int[] s = x.shape();
        int rows = s[s.length - 2], cols = s[s.length - 1];
        int[] os = s.clone();
        os[s.length - 2] = cols;
        os[s.length - 1] = rows;
        if (x.numel() == 0) return Tensor.zeros(os);
        long batch = x.numel() / ((long) rows * cols);
        if (batch > Integer.MAX_VALUE) throw new IllegalArgumentException("transpose: batch " + batch);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.transpose(storage, op.in(x), y, (int) batch, rows, cols);
            return op.out(y, os);
        }
    }

    /**
     * Downloads every device tensor of this backend that is still on the device (their host reads must keep working
     * after the device is gone), then frees all device memory.
     */
    @Override
    public synchronized void close() {
        List<DeviceBuffer> remaining;
        synchronized (live) {
            remaining = new ArrayList<>(live.keySet());
            live.clear();
        }
        for (DeviceBuffer b : remaining) {
            if (!(b.block.source instanceof GraphMemory g && g.isClosed()) && !b.isFreed()) b.toHost();
        }
        dropGraphs();
        device.synchronize();
        for (Weight w : weights.values()) device.free(w.ptr);
        weights.clear();
        weightBytes = 0;
        pool.close();
        device.close();
    }
}
