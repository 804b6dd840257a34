package dev.sodec.engine.cuda;

import dev.sodec.engine.cpu.CpuGemm;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CUDA device simulated on the host: device memory is native host memory (one shared arena per allocation, so
 * blocks are freed one by one), kernels run in the kernels module's emulator, and GEMMs, which a GPU gives to
 * cuBLAS, are served by the CPU backend's {@link CpuGemm} (F16/BF16 operands widened to F32, the result rounded
 * back to the storage type, as cuBLAS with F32 compute does), or, with {@code kernelGemm}, by our own kernels
 * exactly as {@link JCudaDevice} does when libcublas.so.12 is missing. Every call completes before it returns.
 *
 * <p>Graph capture is emulated as a GPU does it: while capturing, launches, GEMMs, fills and copies are recorded and
 * NOT run (a host read of their results would see stale memory, as on a GPU), and the graph replays the list.
 */
public final class EmulatedDevice implements Device {
    private final EmuKernelLauncher emu;
    private final KernelLauncher launcher = new RecordingLauncher();
    private final CudaKernels kernels;
    private final Parallel par;
    private final boolean kernelGemm;
    private final Map<Long, Arena> blocks = new HashMap<>();

    /**
     * @param threads host threads for the emulator's blocks and for CpuGemm
     * @param kernelGemm run GEMMs through our GEMM kernel (the no-cuBLAS path) instead of CpuGemm
     */
    public EmulatedDevice(int threads, boolean kernelGemm) {
        int t = Math.max(1, threads);
        this.emu = new EmuKernelLauncher(Math.min(64, t));
        this.kernels = new CudaKernels(emu);
        this.par = new Parallel(t);
        this.kernelGemm = kernelGemm;
    }

    @Override
    public String name() {
        return emu.name();
    }

    @Override
    public String gemmPath() {
        return kernelGemm ? "our CUDA-core GEMM kernel (the no-cuBLAS path)" : "CpuGemm standing in for cuBLAS";
    }

    @Override
    public String convLibraryStatus() {
        return "no cuDNN on the emulator";
    }

    @Override
    public synchronized long malloc(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        Arena arena = Arena.ofShared();
        MemorySegment s = arena.allocate(bytes, 256);
        blocks.put(s.address(), arena);
        return s.address();
    }

    @Override
    public synchronized void free(long address) {
        if (recording != null) throw new IllegalStateException("free while capturing a graph");
        Arena a = blocks.remove(address);
        if (a == null) throw new IllegalStateException("free of 0x" + Long.toHexString(address) + ", which is not an allocated block");
        a.close();
    }

    /** Blocks currently allocated (for leak checks in tests). */
    public synchronized int liveBlocks() {
        return blocks.size();
    }

    static MemorySegment at(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    private List<Runnable> recording;   // non-null while capturing; guarded by this

    /** Runs {@code work} now, or records it while capturing. */
    private void run(Runnable work) {
        synchronized (this) {
            if (recording != null) {
                recording.add(work);
                return;
            }
        }
        work.run();
    }

    private synchronized void requireNotCapturing(String what) {
        if (recording != null) throw new IllegalStateException(what + " while capturing a graph");
    }

    @Override
    public synchronized void beginCapture() {
        if (recording != null) throw new IllegalStateException("a graph capture is already running");
        recording = new ArrayList<>();
    }

    @Override
    public synchronized DeviceGraph endCapture() {
        if (recording == null) throw new IllegalStateException("no graph capture is running");
        List<Runnable> ops = List.copyOf(recording);
        recording = null;
        return new DeviceGraph() {
            @Override
            public void launch() {
                requireNotCapturing("graph launch");
                for (Runnable op : ops) op.run();
            }

            @Override
            public int operations() {
                return ops.size();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public synchronized void abortCapture() {
        recording = null;
    }

    @Override
    public void copy(long src, long dst, long bytes) {
        if (bytes <= 0) return;
        run(() -> MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes));
    }

    /** Our kernels through the emulator, recorded instead of run while capturing. */
    private final class RecordingLauncher implements KernelLauncher {
        @Override
        public String name() {
            return emu.name();
        }

        @Override
        public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
            run(() -> emu.launch(kernel, grid, block, sharedBytes, args));
        }
    }

    @Override
    public void upload(MemorySegment src, long dst) {
        requireNotCapturing("upload");
        MemorySegment.copy(src, 0, at(dst, src.byteSize()), 0, src.byteSize());
    }

    @Override
    public void download(long src, MemorySegment dst) {
        requireNotCapturing("download");
        MemorySegment.copy(at(src, dst.byteSize()), 0, dst, 0, dst.byteSize());
    }

    @Override
    public void zero(long address, long bytes) {
        if (bytes > 0) run(() -> at(address, bytes).fill((byte) 0));
    }

    @Override
    public KernelLauncher launcher() {
        return launcher;
    }

    @Override
    public void gemm(DType t, int batch, int m, int n, int k, long a, long strideA, boolean transA, long b, long strideB,
                     boolean transB, long c) {
        run(() -> gemmNow(t, batch, m, n, k, a, strideA, transA, b, strideB, transB, c));
    }

    private void gemmNow(DType t, int batch, int m, int n, int k, long a, long strideA, boolean transA, long b, long strideB,
                         boolean transB, long c) {
        if (kernelGemm) {
            kernels.gemm(t, a, b, c, 0, batch, m, n, k, transA, transB, strideA, strideB, (long) m * n, 1f, 0f);
            return;
        }
        long es = t.byteSize;
        long aCount = strideA == 0 ? (long) m * k : strideA * (batch - 1) + (long) m * k;
        long bCount = strideB == 0 ? (long) k * n : strideB * (batch - 1) + (long) k * n;
        long cCount = (long) batch * m * n;
        MemorySegment as = widen(t, at(a, aCount * es), aCount);
        MemorySegment bs = widen(t, at(b, bCount * es), bCount);
        MemorySegment cd = at(c, cCount * es);
        MemorySegment cs = t == DType.F32 ? cd : Arena.ofAuto().allocate(cCount * 4, 64);
        int lda = transA ? m : k, ldb = transB ? k : n;
        for (int i = 0; i < batch; i++) {
            CpuGemm.sgemm(par, m, n, k, as, i * strideA, lda, transA, bs, i * strideB, ldb, transB,
                    cs, (long) i * m * n, n, false);
        }
        if (t != DType.F32) {
            Tensor narrow = Tensor.wrap(cs, DType.F32, Math.toIntExact(cCount)).toFloatType(t);
            MemorySegment.copy(narrow.data(), 0, cd, 0, cCount * es);
        }
    }

    private static MemorySegment widen(DType t, MemorySegment s, long count) {
        if (t == DType.F32) return s;
        return Tensor.wrap(s, t, Math.toIntExact(count)).toF32().data();
    }

    @Override
    public long recordEvent() {
        requireNotCapturing("event");
        return System.nanoTime();
    }

    @Override
    public double elapsedMillis(long start, long end) {
        return (end - start) / 1e6;
    }

    @Override
    public void synchronize() {}

    @Override
    public synchronized void close() {
        for (Arena a : blocks.values()) a.close();
        blocks.clear();
        par.close();
    }
}
