package dev.sodec.engine.graph;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph compiled for one backend: dead nodes removed, fused where the backend can, memory planned, prepared.
 * {@link #run} takes the inputs in declaration order and returns the outputs in declaration order as new host
 * tensors. Thread-safe; {@link #close} waits for nothing but frees once the last running call ends.
 */
public final class Executable implements AutoCloseable {
    private final Schedule schedule;
    private final Program program;
    private final Backend backend;
    private int inFlight;
    private boolean closed, released;

    private Executable(Backend backend, Schedule schedule, Program program) {
        this.backend = backend;
        this.schedule = schedule;
        this.program = program;
    }

    /** Compiles {@code g} for {@code backend}; {@code g} must have at least one output. */
    public static Executable compile(Backend backend, Graph g) {
        return compile(backend, g, backend.fusions());
    }

    /** Compiles with only the given fusions (the tests compare fused and unfused graphs this way). */
    public static Executable compile(Backend backend, Graph g, Set<Fusion> fusions) {
        Schedule s = schedule(g, fusions, backend);
        return new Executable(backend, s, backend.prepare(s));
    }

    static Schedule schedule(Graph g, Set<Fusion> fusions, Backend backend) {
        if (g.outputs().isEmpty()) throw new IllegalArgumentException("graph has no outputs");
        Set<Fusion> usable = fusions.isEmpty() ? Set.of() : Collections.unmodifiableSet(intersect(fusions, backend.fusions()));
        List<String> names = new ArrayList<>(g.outputs().keySet());
        List<Node> outs = new ArrayList<>();
        List<Node> extra = new ArrayList<>();
        for (Node o : g.outputs().values()) {
            Node r = o;
            while (r.op.isView()) r = r.inputs[0];
            if (r.op.isLeaf()) {
                // a leaf has no place of its own to copy out of: an exact copy (x * 1 + 0) gives it one
                Node copy = new Node(g, g.nextDerivedId(), Op.UNARY, new Node[] {o}, Act.scale(1f, 0f), o.shape(), null, null);
                extra.add(copy);
                o = copy;
            }
            outs.add(o);
        }
        List<Node> order = live(g.nodes(), extra, outs);
        Fusions.Result fused = Fusions.apply(order, outs, usable);
        List<Node> run = new ArrayList<>();
        for (Node n : fused.nodes()) if (!n.op.isLeaf()) run.add(n);
        MemoryPlan plan = new MemoryPlan(g.inputs(), run, fused.outputs(), backend.elementBytes(), backend.alignment(),
                backend::workspaceBytes, backend.residualInPlace());
        return new Schedule(g.inputs(), run, fused.outputs(), names, plan);
    }

    private static Set<Fusion> intersect(Set<Fusion> a, Set<Fusion> b) {
        java.util.EnumSet<Fusion> s = java.util.EnumSet.noneOf(Fusion.class);
        for (Fusion f : a) if (b.contains(f)) s.add(f);
        return s;
    }

    /** Nodes that some output depends on, in recorded order (the extra copies last). */
    private static List<Node> live(List<Node> recorded, List<Node> extra, List<Node> outputs) {
        Map<Node, Boolean> needed = new IdentityHashMap<>();
        ArrayList<Node> stack = new ArrayList<>(outputs);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (needed.put(n, Boolean.TRUE) != null) continue;
            for (Node x : n.inputs) if (x != null) stack.add(x);
        }
        List<Node> order = new ArrayList<>();
        for (Node n : recorded) if (needed.containsKey(n)) order.add(n);
        for (Node n : extra) if (needed.containsKey(n)) order.add(n);
        return order;
    }

    /** Runs with the inputs in declaration order; returns the outputs in declaration order. */
    public Tensor[] run(Tensor... inputs) {
        return run(null, inputs);
    }

    /** A profiled run: every node's time goes to {@code timer}. */
    public Tensor[] run(NodeTimer timer, Tensor... inputs) {
        check(inputs);
        synchronized (this) {
            if (closed) throw new IllegalStateException("executable is closed");
            inFlight++;
        }
        try {
            return program.run(inputs, timer);
        } finally {
            boolean release;
            synchronized (this) {
                release = --inFlight == 0 && closed && !released;
                if (release) released = true;
            }
            if (release) program.close();
        }
    }

    private void check(Tensor[] inputs) {
        List<Node> declared = schedule.inputs;
        if (inputs.length != declared.size()) {
            throw new IllegalArgumentException("graph takes " + declared.size() + " inputs, got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            Node n = declared.get(i);
            if (t == null || !Arrays.equals(t.shape(), n.shape()) || !t.dtype().isFloat()) {
                throw new IllegalArgumentException("input '" + n.name + "' must be a float tensor of shape "
                        + Arrays.toString(n.shape()) + ", got " + t);
            }
        }
    }

    public Schedule schedule() {
        return schedule;
    }

    public Backend backend() {
        return backend;
    }

    /** Nodes that compute something per run. */
    public int nodes() {
        return schedule.computeNodes();
    }

    /** Bytes of one run's arena (activations and workspaces). */
    public long arenaBytes() {
        return schedule.plan.arenaBytes();
    }

    /** What the same nodes would allocate without a plan (every output its own buffer). */
    public long unplannedBytes() {
        return schedule.plan.unplannedBytes();
    }

    @Override
    public void close() {
        boolean release;
        synchronized (this) {
            if (closed) return;
            closed = true;
            release = inFlight == 0 && !released;
            if (release) released = true;
        }
        if (release) program.close();
    }
}
