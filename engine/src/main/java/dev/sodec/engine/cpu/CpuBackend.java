package dev.sodec.engine.cpu;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.ConstantStore;
import dev.sodec.engine.backend.OpenPrograms;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Fusion;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.graph.Program;
import dev.sodec.engine.graph.Schedule;
import dev.sodec.engine.io.FileBytes;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.Set;

/**
 * The pure-Java backend: F32, multithreaded, Vector API inner loops (scalar ones
 * when the JVM lacks jdk.incubator.vector: {@link CpuLoops}). Also the test oracle for other backends.
 * Activations live in host arenas planned per graph; F32 weights are read where they are (memory-mapped files),
 * other dtypes are converted to F32 once per weight and shared by every program that reads them.
 */
public final class CpuBackend implements Backend {
    private static final Set<Fusion> FUSIONS = EnumSet.allOf(Fusion.class);

    private final Parallel par;
    private final OpenPrograms programs = new OpenPrograms();
    private final ConstantStore<Tensor, Resident> constants = new ConstantStore<>(CpuBackend::resident, Resident::free);
    /** Winograd-transformed 3x3 filters, one per weight tensor and tile size, made when a program first needs one. */
    private final ConstantStore<WinogradConv.Key, WinogradConv.Filter> winogradFilters =
            new ConstantStore<>(this::winogradFilter, WinogradConv.Filter::free);
    /** Which 3x3 convs run by Winograd (and which tile); system property sodec.cpu.winograd: true (default), false, wide. */
    private final WinogradConv.Reach winograd = WinogradConv.Reach.parse(System.getProperty("sodec.cpu.winograd", "true"));
    /** Constant conv and linear weights packed once into GEMM slivers, one per weight tensor. */
    private final ConstantStore<PackKey, PackedWeight> packedWeights = new ConstantStore<>(this::packWeight, PackedWeight::free);
    /** Smallest weight (floats: 1 MiB) and most pixels or tokens per call for which a weight is packed once. */
    static final long PREPACK_MIN_FLOATS = 1 << 18;
    static final long PREPACK_MAX_COLUMNS = 2048;
    /** Whether constant GEMM weights are packed once (system property sodec.cpu.prepack, default true). */
    private final boolean prepack = Boolean.parseBoolean(System.getProperty("sodec.cpu.prepack", "true"));

    /** A weight and the sliver width it is packed with (a conv's weight is an A operand or, pixels as rows, a B one). */
    record PackKey(Tensor weight, int width) {}

    /** A constant as the kernels read it: the weight itself when F32 and contiguous, else an F32 copy. */
    record Resident(Tensor f32, Arena arena) {
        void free() {
            if (arena != null) arena.close();
        }
    }

    public CpuBackend(int threads) {
        this.par = new Parallel(threads);
    }

    /** All available cores. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public String name() { return "cpu"; }

    @Override
    public String description() {
        return "cpu: " + par.threads() + " threads, F32, " + CpuLoops.INSTANCE.describe();
    }

    @Override
    public int threads() { return par.threads(); }

    public Parallel parallel() { return par; }

    @Override
    public Set<Fusion> fusions() {
        return FUSIONS;
    }

    @Override
    public int elementBytes() {
        return 4;
    }

    @Override
    public int alignment() {
        return 64;
    }

    @Override
    public long workspaceBytes(Node node) {
        if (node.op == Op.GDN) return CpuGdn.workspaceBytes(node.input(0).shape());
        WinogradConv.Tile tile = winogradTile(node);
        if (tile != null) return WinogradConv.workspaceBytes(node, tile);
        if (node.op == Op.CONV2D && CpuConv.pixelRows(node.dim(2) * node.dim(3), node.dim(1),
                node.attrs(Attrs.Conv.class).params().groups())) {
            return CpuConv.pixelRowsBytes(node.dim(2) * node.dim(3), node.dim(1));
        }
        return 0;
    }

    /** The tile size of a conv this backend runs by Winograd (so it has a workspace and a filter), else null. */
    WinogradConv.Tile winogradTile(Node node) {
        return WinogradConv.tileFor(node, winograd);
    }

    /**
     * The transformed filter of a weight; a memory-mapped weight's pages then go, as after packing: the conv reads
     * only U, so the file's pages need not stay in the process's memory beside it.
     */
    private WinogradConv.Filter winogradFilter(WinogradConv.Key key) {
        WinogradConv.Filter f = WinogradConv.transform(par, key.weight(), key.tile());
        FileBytes.releasePages(key.weight().data());
        return f;
    }

    ConstantStore<WinogradConv.Key, WinogradConv.Filter> winogradFilters() {
        return winogradFilters;
    }

    /**
     * Whether {@code node} multiplies by its constant weight (input 1) through a {@link PackedWeight}: a weight of at
     * least {@link #PREPACK_MIN_FLOATS} over at most {@link #PREPACK_MAX_COLUMNS} pixels or tokens, in a linear layer
     * (the weight is the B operand, read transposed) or an ungrouped, not depthwise convolution that is not run by
     * Winograd (the weight is the A operand). A weight is packed for one role only: a linear's and a conv's slivers differ.
     */
    boolean packsWeight(Node node) {
        if (!prepack || (node.op != Op.LINEAR && node.op != Op.CONV2D) || node.input(1).op != Op.CONSTANT) return false;
        // Packing per call costs about 1/n of the product (n: the pixels or tokens each weight element meets); it
        // matters for large weights over few of them. Small weights stay per call: packing them at prepare time
        // cost a short CLI call (a hyperprior codec on a 0.1 MP photo) 0.2 s of a cold JVM.
        int[] ws = node.input(1).shape(), ys = node.shape();
        long n = node.op == Op.LINEAR ? node.numel() / Math.max(1, ys[ys.length - 1]) : (long) node.dim(2) * node.dim(3);
        if (dev.sodec.engine.tensor.Shapes.numel(ws) < PREPACK_MIN_FLOATS || n > PREPACK_MAX_COLUMNS) return false;
        return switch (node.op) {
            case LINEAR -> true;
            // one input channel per group runs the direct depthwise loop, which reads the weight as stored
            case CONV2D -> node.attrs(Attrs.Conv.class).params().groups() == 1 && node.input(1).shape()[1] > 1
                    && winogradTile(node) == null && !SmallOutputConv.applies(node.dim(1), node.input(1).shape()[1],
                    node.dim(2) * node.dim(3), node.attrs(Attrs.Conv.class).params());
            default -> false;
        };
    }

    ConstantStore<PackKey, PackedWeight> packedWeights() {
        return packedWeights;
    }

    /** The packed form {@code node} (one that {@link #packsWeight}) reads its weight in. */
    PackedWeight acquirePacked(Node node) {
        return packedWeights.acquire(packKey(node));
    }

    void releasePacked(Node node) {
        packedWeights.release(packKey(node));
    }

    private static PackKey packKey(Node node) {
        int width = node.op == Op.LINEAR ? GemmDriver.NR : CpuConv.weightWidth(node.dim(2) * node.dim(3), node.dim(1));
        return new PackKey(node.input(1).constant(), width);
    }

    /**
     * Packs a weight from its resident F32 form, then lets a memory-mapped weight's pages go: the kernels read only
     * the packed copy, so the file's pages need not stay in the process's memory beside it (they are read back if
     * anything else asks).
     */
    private PackedWeight packWeight(PackKey key) {
        Tensor weight = key.weight();
        Resident r = constants.acquire(weight);
        try {
            PackedWeight p = PackedWeight.pack(par, r.f32(), key.width());
            FileBytes.releasePages(r.f32().data());
            return p;
        } finally {
            constants.release(weight);
        }
    }

    @Override
    public Program prepare(Schedule schedule) {
        CpuProgram p = new CpuProgram(this, schedule);
        programs.add(p);
        return p;
    }

    void closed(CpuProgram p) {
        programs.remove(p);
    }

    ConstantStore<Tensor, Resident> constants() {
        return constants;
    }

    private static Resident resident(Tensor t) {
        if (t.dtype() == DType.F32 && t.isContiguous()) return new Resident(t, null);
        Arena arena = Arena.ofShared();
        Tensor f32 = Tensor.zeros(arena, DType.F32, t.shape());
        t.copyAsF32(f32);
        return new Resident(f32, arena);
    }

    @Override
    public void close() {
        programs.closeAll();
        constants.clear();
        winogradFilters.clear();
        packedWeights.clear();
        par.close();
    }
}
