package dev.sodec.engine.graph;

import dev.sodec.engine.tensor.Tensor;

/**
 * A {@link Schedule} prepared by one backend: constants resident, arenas allocated on first use and reused. Runs
 * may come from several threads at once; each takes an arena of its own.
 */
public interface Program extends AutoCloseable {
    /**
     * Copies the inputs in (shapes already checked), runs every node into its planned place and returns the outputs
     * as new host tensors (F32, contiguous), in schedule order.
     *
     * @param timer receives each node's time, or null for an unprofiled (faster) run
     */
    Tensor[] run(Tensor[] inputs, NodeTimer timer);

    /** Frees the arenas and releases the constants. Called once, when no run is in progress. */
    @Override
    void close();
}
