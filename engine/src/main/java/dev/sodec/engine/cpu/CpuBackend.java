package dev.sodec.engine.cpu;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.ConstantStore;
import dev.sodec.engine.backend.OpenPrograms;
import dev.sodec.engine.graph.Fusion;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.graph.Program;
import dev.sodec.engine.graph.Schedule;
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
    /** Winograd-transformed 3x3 filters, one per weight tensor, made when a program first needs one. */
    private final ConstantStore<Tensor, WinogradConv.Filter> winogradFilters =
            new ConstantStore<>(WinogradConv::transform, WinogradConv.Filter::free);
    /** Whether eligible 3x3 convs run by Winograd F(4x4,3x3); system property sodec.cpu.winograd (default true). */
    private final boolean winograd = Boolean.parseBoolean(System.getProperty("sodec.cpu.winograd", "true"));

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
        return usesWinograd(node) ? WinogradConv.workspaceBytes(node) : 0;
    }

    /** Whether {@code node} is a conv this backend runs by Winograd (so it has a workspace and a filter). */
    boolean usesWinograd(Node node) {
        return winograd && WinogradConv.applies(node);
    }

    ConstantStore<Tensor, WinogradConv.Filter> winogradFilters() {
        return winogradFilters;
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
        par.close();
    }
}
