package dev.sodec.engine.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph made ready for one backend: the nodes to run in order (fused, dead ones removed; view nodes included,
 * they run nothing), the graph inputs and outputs, the constants the nodes read, and the memory plan. What a
 * backend's {@link Program} executes.
 */
public final class Schedule {
    public final List<Node> inputs;
    public final List<Node> nodes;
    public final List<Node> outputs;
    public final List<String> outputNames;
    /** Every CONSTANT node some node reads (directly or through a view). */
    public final List<Node> constants;
    public final MemoryPlan plan;

    Schedule(List<Node> inputs, List<Node> nodes, List<Node> outputs, List<String> outputNames, MemoryPlan plan) {
        this.inputs = List.copyOf(inputs);
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
        this.outputNames = List.copyOf(outputNames);
        this.plan = plan;
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        List<Node> cs = new ArrayList<>();
        for (Node n : nodes) {
            for (Node x : n.inputs) {
                if (x == null) continue;
                Node r = plan.rootOf(x);
                if (r.op == Op.CONSTANT && seen.put(r, Boolean.TRUE) == null) cs.add(r);
            }
        }
        this.constants = Collections.unmodifiableList(cs);
    }

    /** Nodes that compute something (views excluded). */
    public int computeNodes() {
        int c = 0;
        for (Node n : nodes) if (!n.op.isView()) c++;
        return c;
    }
}
