package dev.sodec.engine.graph;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph rewrites that merge a producer into its only consumer where the backend has the fused kernel:
 * GroupNorm + SiLU, convolution / linear + activation (into the node's {@link Epilogue}), and the residual
 * add after a convolution or linear. A producer is merged only when nothing else reads it and it is not a
 * graph output; the fused node takes the consumer's place in the order, which keeps every input computed before
 * it. The result computes the same values (up to rounding in the fused kernel: see the tests comparing each
 * rewrite against the unfused graph).
 */
final class Fusions {
    private Fusions() {}

    /** Rewritten nodes and the node that now computes each graph output. */
    record Result(List<Node> nodes, List<Node> outputs) {}

    /** Rewrites {@code order} (recorded order, dead nodes removed) whose results are {@code outputs}. */
    static Result apply(List<Node> order, List<Node> outputs, Set<Fusion> supported) {
        if (supported.isEmpty()) return new Result(order, outputs);
        Map<Node, Node> now = new IdentityHashMap<>();
        Set<Node> pinned = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        pinned.addAll(outputs);
        List<Node> nodes = rewrite(order, pinned, supported, false, now);
        List<Node> outs = resolve(outputs, now);
        pinned.clear();
        pinned.addAll(outs);
        Map<Node, Node> now2 = new IdentityHashMap<>();
        nodes = rewrite(nodes, pinned, supported, true, now2);
        return new Result(nodes, resolve(outs, now2));
    }

    private static List<Node> resolve(List<Node> outputs, Map<Node, Node> now) {
        List<Node> r = new ArrayList<>(outputs.size());
        for (Node o : outputs) r.add(now.getOrDefault(o, o));
        return r;
    }

    private static boolean isConv(Node n) {
        return n.op == Op.CONV2D || n.op == Op.CONV_TRANSPOSE2D;
    }

    private static Epilogue epilogue(Node n) {
        return n.op == Op.LINEAR ? n.attrs(Attrs.Linear.class).epilogue() : n.attrs(Attrs.Conv.class).epilogue();
    }

    private static Object withEpilogue(Node n, Epilogue e) {
        return n.op == Op.LINEAR ? new Attrs.Linear(e) : new Attrs.Conv(n.attrs(Attrs.Conv.class).params(), e);
    }

    /**
     * One pass: the activation pass ({@code residual} false) merges conv/linear/group-norm into a following unary
     * node; the residual pass merges conv/linear into a following add.
     */
    private static List<Node> rewrite(List<Node> nodes, Set<Node> outputs, Set<Fusion> supported, boolean residual,
                                      Map<Node, Node> now) {
        Map<Node, Integer> uses = new IdentityHashMap<>();
        for (Node n : nodes) for (Node i : n.inputs) if (i != null) uses.merge(i, 1, Integer::sum);
        Map<Node, Node> merged = new IdentityHashMap<>();   // consumer -> producer merged into it
        for (Node n : nodes) {
            Node p = residual ? residualProducer(n, uses, outputs, supported) : activationProducer(n, uses, outputs, supported);
            if (p != null) merged.put(n, p);
        }
        if (merged.isEmpty()) return nodes;
        Map<Node, Boolean> absorbed = new IdentityHashMap<>();
        for (Node p : merged.values()) absorbed.put(p, Boolean.TRUE);
        // now: old node -> the node that computes its value after this pass
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            if (absorbed.containsKey(n)) continue;
            Node p = merged.get(n);
            Node made;
            if (p == null) {
                made = remap(n, n.inputs, n.attrs, now);
            } else if (!residual) {
                made = p.op == Op.GROUP_NORM
                        ? remap(p, p.inputs, withSilu(p), now)
                        : remap(p, p.inputs, withEpilogue(p, epilogue(p).withAct(n.attrs(Act.class))), now);
            } else {
                Node other = n.inputs[0] == p ? n.inputs[1] : n.inputs[0];
                Node[] in = java.util.Arrays.copyOf(p.inputs, p.inputs.length + 1);
                in[in.length - 1] = other;
                made = remap(p, in, withEpilogue(p, epilogue(p).withResidual()), now);
            }
            now.put(n, made);
            out.add(made);
        }
        return out;
    }

    private static Object withSilu(Node gn) {
        Attrs.GroupNorm a = gn.attrs(Attrs.GroupNorm.class);
        return new Attrs.GroupNorm(a.groups(), a.eps(), true);
    }

    private static Node remap(Node n, Node[] inputs, Object attrs, Map<Node, Node> now) {
        Node[] in = inputs.clone();
        boolean changed = attrs != n.attrs || inputs != n.inputs;
        for (int i = 0; i < in.length; i++) {
            Node m = in[i] == null ? null : now.get(in[i]);
            if (m != null && m != in[i]) {
                in[i] = m;
                changed = true;
            }
        }
        return changed ? n.derive(in, attrs) : n;
    }

    private static boolean mergeable(Node p, Map<Node, Integer> uses, Set<Node> outputs) {
        return uses.getOrDefault(p, 0) == 1 && !outputs.contains(p);
    }

    private static Node activationProducer(Node n, Map<Node, Integer> uses, Set<Node> outputs, Set<Fusion> supported) {
        if (n.op != Op.UNARY) return null;
        Node p = n.inputs[0];
        if (!mergeable(p, uses, outputs)) return null;
        Act act = n.attrs(Act.class);
        if (p.op == Op.GROUP_NORM) {
            boolean ok = act.kind() == Act.Kind.SILU && supported.contains(Fusion.GROUP_NORM_SILU)
                    && !p.attrs(Attrs.GroupNorm.class).silu();
            return ok ? p : null;
        }
        Fusion f = isConv(p) ? Fusion.CONV_ACTIVATION : p.op == Op.LINEAR ? Fusion.LINEAR_ACTIVATION : null;
        if (f == null || !supported.contains(f)) return null;
        return epilogue(p).isNone() ? p : null;
    }

    private static Node residualProducer(Node n, Map<Node, Integer> uses, Set<Node> outputs, Set<Fusion> supported) {
        if (n.op != Op.ADD || n.inputs[0] == n.inputs[1]) return null;
        for (int i = 1; i >= 0; i--) {   // prefer the second operand: usually the branch, the first the skip
            Node p = n.inputs[i];
            Fusion f = isConv(p) ? Fusion.CONV_RESIDUAL : p.op == Op.LINEAR ? Fusion.LINEAR_RESIDUAL : null;
            if (f == null || !supported.contains(f) || !mergeable(p, uses, outputs)) continue;
            if (!epilogue(p).residual()) return p;
        }
        return null;
    }
}
