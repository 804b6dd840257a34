package dev.sodec.engine.graph;

/** Receives the time each node took when a run is profiled (wall time on the CPU, device events on a GPU). */
@FunctionalInterface
public interface NodeTimer {
    void record(Node node, long nanos);
}
