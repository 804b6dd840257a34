package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.ConstantStore;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.backend.OpenPrograms;
import dev.sodec.engine.backend.Transfers;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Fusion;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.graph.Program;
import dev.sodec.engine.graph.Schedule;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CUDA backend: an executor of planned graphs over a {@link Device}, which is a real GPU ({@link JCudaDevice})
 * or the host emulator ({@link EmulatedDevice}). Each prepared program owns one device arena (allocated on its
 * first run, freed when the program closes) that holds every activation and workspace at the planned offsets;
 * constants (weights) are uploaded once per tensor and shared by every program that reads them, and freed when the
 * last such program closes. A run uploads the graph inputs, runs the nodes (recorded as a device graph on the first
 * run and replayed after that), and downloads the outputs: nothing else crosses the bus.
 *
 * <p>Precision: activations and constants are stored as {@code storage} (F32, F16 or BF16); kernels and GEMMs
 * accumulate in F32. Runs on one backend are serialized (one stream).
 */
public final class CudaBackend implements Backend {
    /** F32 storage: only GroupNorm+SiLU has a fused kernel; F16/BF16: the tensor-core kernels fuse the epilogues. */
    private static final Set<Fusion> FUSIONS_F32 = EnumSet.of(Fusion.GROUP_NORM_SILU), FUSIONS_TC = EnumSet.allOf(Fusion.class);

    private final String name;
    private final Device device;
    private final DType storage;
    private final int threads;
    private final CudaKernels kernels;
    private final ConstantStore<Tensor, Long> constants;
    /** Convolution weights packed for the tensor-core kernels, per weight and form (see {@link PackedWeight}). */
    private final ConstantStore<PackedWeight, Long> packed;
    private final TensorCoreKernels tensorCoreKernels;
    private final OpenPrograms programs = new OpenPrograms();
    /** Per convolution shape: cuDNN or our kernels, chosen at first use. */
    private final ConvPaths convPaths;
    private final AtomicLong uploads = new AtomicLong(), uploadBytes = new AtomicLong(), downloads = new AtomicLong(),
            downloadBytes = new AtomicLong(), weightUploads = new AtomicLong(), weightUploadBytes = new AtomicLong();

    /**
     * @param name the name this backend reports ("cuda", "cuda-emulated:f16" ...)
     * @param storage F32, F16 or BF16
     */
    public CudaBackend(String name, Device device, DType storage, int threads) {
        this(name, device, storage, threads, new ConvPaths(ConvPaths.Policy.of(System.getenv("SODEC_CUDA_CONV")),
                device.convLibrary(), device.convLibraryStatus(), device, ConvPaths.WORKSPACE_BYTES, ConvPaths.eventTimer(device)));
    }

    /** With the convolution paths given (tests: a stand-in library and timer). */
    CudaBackend(String name, Device device, DType storage, int threads, ConvPaths convPaths) {
        CudaKernels.suffix(storage);   // rejects other storage types with a clear message
        this.convPaths = convPaths;
        this.name = name;
        this.device = device;
        this.storage = storage;
        this.threads = threads;
        this.kernels = new CudaKernels(device.launcher());
        this.constants = new ConstantStore<>(this::uploadConstant, this::freeConstant);
        this.packed = new ConstantStore<>(this::pack, this::freeConstant);
        this.tensorCoreKernels = new TensorCoreKernels(device.launcher());
    }

    ConvPaths convPaths() {
        return convPaths;
    }

    TensorCoreKernels tensorCoreKernels() {
        return tensorCoreKernels;
    }

    /** The weight of a tensor-core convolution packed into its kernel's order, once per weight and form. */
    long acquirePacked(PackedWeight w) {
        return packed.acquire(w);
    }

    void releasePacked(PackedWeight w) {
        packed.release(w);
    }

    private Long pack(PackedWeight w) {
        Tensor weight = w.weight();
        long src = constants.acquire(weight);
        try {
            long p = device.malloc(Math.max(1, weight.numel() * storage.byteSize));
            int[] s = weight.shape();
            if (w.transposed()) tensorCoreKernels.packConvTranspose2dWeight(storage, src, p, s[0], s[1], s[2], s[3], new Conv2dParams(w.strideH(), w.strideW(), 0, 0, 1, 1, 1, 0, 0));
            else tensorCoreKernels.packConv2dWeight(storage, src, p, s[0], s[1], s[2], s[3]);
            device.synchronize();
            return p;
        } finally {
            constants.release(weight);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public DType storage() {
        return storage;
    }

    Device device() {
        return device;
    }

    CudaKernels kernels() {
        return kernels;
    }

    ConstantStore<Tensor, Long> constants() {
        return constants;
    }

    @Override
    public String description() {
        return name + ": device " + device.name() + "; storage " + storage + " (F32 accumulation); kernels: ours (fatbin "
                + "or emulator); GEMM: " + device.gemmPath() + "; convolutions: " + convPaths.describe() + "; attention: our fused "
                + "kernel (head dim <= " + CudaKernels.MAX_HEAD_DIM + "), else GEMM + softmax kernels; planned graphs replay "
                + "as device graphs";
    }

    /** One line per convolution shape: the path chosen at its first use and the times that decided it. */
    @Override
    public List<String> pathReport() {
        return convPaths.lines();
    }

    @Override
    public Set<Fusion> fusions() {
        return TensorCorePaths.tensorCores(storage) ? FUSIONS_TC : FUSIONS_F32;
    }

    /** A convolution that falls back from the tensor-core kernel writes its product before adding the residual. */
    @Override
    public boolean residualInPlace() {
        return false;
    }

    @Override
    public int elementBytes() {
        return storage.byteSize;
    }

    @Override
    public int alignment() {
        return 256;
    }

    @Override
    public long workspaceBytes(Node n) {
        long tc = TensorCorePaths.workspaceBytes(n, storage);
        if (tc > 0) return tc;
        if (n.op == Op.GROUP_NORM && n.numel() > 0) {
            int nb = n.dim(0), c = n.dim(1), groups = n.attrs(Attrs.GroupNorm.class).groups();
            long hw = n.numel() / ((long) nb * c);
            return CudaKernels.groupNormWorkspaceBytes(nb, groups, CudaKernels.groupNormChunks((long) (c / groups) * hw));
        }
        if (n.op == Op.ATTENTION && n.numel() > 0) {
            int heads = n.attrs(Attrs.Attention.class).heads(), c = n.input(0).dim(2);
            if (n.input(2).dim(2) != c) {
                throw new IllegalArgumentException(name + ": attention needs equal query and value widths, got " + c + " and "
                        + n.input(2).dim(2));
            }
            if (c / heads > CudaKernels.MAX_HEAD_DIM) {
                return CudaKernels.attentionUnfusedWorkspaceBytes(storage, heads, n.input(0).dim(1), n.input(1).dim(1));
            }
        }
        return 0;
    }

    @Override
    public Program prepare(Schedule schedule) {
        CudaProgram p = new CudaProgram(this, schedule);
        programs.add(p);
        return p;
    }

    void closed(CudaProgram p) {
        programs.remove(p);
    }

    /** Host copies in the storage type, for uploads. */
    MemorySegment hostInStorage(Tensor t) {
        return (storage == DType.F32 ? t.toF32() : t.toFloatType(storage)).data();
    }

    private Long uploadConstant(Tensor t) {
        MemorySegment h = hostInStorage(t);
        long p = device.malloc(Math.max(1, h.byteSize()));
        if (h.byteSize() > 0) device.upload(h, p);
        weightUploads.incrementAndGet();
        weightUploadBytes.addAndGet(h.byteSize());
        return p;
    }

    private void freeConstant(Long p) {
        device.synchronize();
        device.free(p);
    }

    void countUpload(long bytes) {
        uploads.incrementAndGet();
        uploadBytes.addAndGet(bytes);
    }

    void countDownload(long bytes) {
        downloads.incrementAndGet();
        downloadBytes.addAndGet(bytes);
    }

    @Override
    public Transfers transfers() {
        return new Transfers(uploads.get(), uploadBytes.get(), downloads.get(), downloadBytes.get(), weightUploads.get(),
                weightUploadBytes.get());
    }

    /** Constants resident on the device now. */
    public int residentConstants() {
        return constants.size();
    }

    @Override
    public synchronized void close() {
        programs.closeAll();
        device.synchronize();
        convPaths.close();
        packed.clear();
        constants.clear();
        device.close();
    }
}
