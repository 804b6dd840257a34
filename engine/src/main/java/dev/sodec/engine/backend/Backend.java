package dev.sodec.engine.backend;

import dev.sodec.engine.graph.Fusion;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Program;
import dev.sodec.engine.graph.Schedule;
import dev.sodec.engine.tensor.DType;
import java.util.List;
import java.util.Set;

/**
 * An executor of planned graphs. Networks record their computation into a {@link dev.sodec.engine.graph.Graph}
 * (where shapes are inferred and checked once, for every backend); {@link dev.sodec.engine.graph.Executable}
 * fuses what this backend declares in {@link #fusions}, plans every intermediate into one arena of this
 * backend's memory and calls {@link #prepare}; the {@link Program} then runs each node into its planned place.
 * Results must not depend on the thread count: work is split over output elements, never over a reduction.
 */
public interface Backend extends AutoCloseable {
    String name();

    /** What this backend runs on and which paths it takes (device, precision, GEMM library), for logs and the CLI. */
    default String description() {
        return name();
    }

    /**
     * The paths this backend chose at run time, one line each (the CUDA backend: cuDNN or our kernels per
     * convolution shape, with the times that decided it); empty where nothing is chosen at run time.
     */
    default List<String> pathReport() {
        return List.of();
    }

    /** Threads this backend may use for one op. */
    int threads();

    /** The type activations and weights are stored in (F32 on the CPU; F32, F16 or BF16 on CUDA); math is F32. */
    default DType storage() {
        return DType.F32;
    }

    /** Fused node forms this backend runs as one kernel. */
    Set<Fusion> fusions();

    /** Bytes per stored element of an activation (4 for F32 storage, 2 for F16 / BF16). */
    int elementBytes();

    /** Alignment of arena offsets in bytes. */
    int alignment();

    /** Scratch bytes {@code node} needs while it runs (planned like any value); 0 for none. */
    long workspaceBytes(Node node);

    /**
     * Whether a fused residual epilogue without activation may write its output over the residual (the plan then
     * shares their memory): true where every such kernel reads the residual before writing (the CPU accumulates onto
     * it); false where a fallback path writes the product first.
     */
    default boolean residualInPlace() {
        return true;
    }

    /** Makes {@code schedule} runnable here: constants resident, memory ready to allocate on first run. */
    Program prepare(Schedule schedule);

    /** Host/device copies since this backend was created (all zero for host backends). */
    default Transfers transfers() {
        return Transfers.NONE;
    }

    @Override
    default void close() {}
}
