package dev.sodec.engine.cuda;

/**
 * Recorded device work (a CUDA graph: cuGraphInstantiate of a stream capture; a launch list on the emulator) that
 * replays the same kernels on the same device addresses. Queued on the device's stream like any other work.
 */
public interface DeviceGraph extends AutoCloseable {
    /** Queues one replay of the recorded work. */
    void launch();

    /** Number of recorded operations (kernel launches, GEMMs, fills, copies; graph nodes on a GPU), -1 if unknown. */
    int operations();

    @Override
    void close();
}
