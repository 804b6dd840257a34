package dev.sodec.engine.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Where every value of a schedule lives: an offset in one arena, laid out from lifetimes read off the node order
 * (the idea of ggml's graph allocator). A value is born at the node that writes it (graph inputs before the
 * first node) and dies after the last node that reads it or a view of it; outputs live to the end. An elementwise
 * node writes over an input that dies at it when the sizes match (in place). Node workspaces live only during
 * their node. Buffers are placed largest first, each at the lowest aligned offset free of every buffer whose
 * lifetime meets its own. Views take their source's place plus an offset; constants stay where the backend keeps
 * them.
 */
public final class MemoryPlan {
    /** One arena buffer: a value (or a chain of values written in place), or a node's workspace. */
    private static final class Buffer {
        final long bytes;
        final int birth;
        int death;
        long offset;

        Buffer(long bytes, int birth, int death) {
            this.bytes = bytes;
            this.birth = birth;
            this.death = death;
        }
    }

    private final Map<Node, Buffer> bufferOf = new IdentityHashMap<>();
    private final Map<Node, Long> elementOffset = new IdentityHashMap<>();   // within the root's value
    private final Map<Node, Node> rootOf = new IdentityHashMap<>();
    private final Map<Node, Buffer> workspaceOf = new IdentityHashMap<>();
    private final List<Buffer> buffers = new ArrayList<>();
    private final long arenaBytes;
    private final long unplannedBytes;
    private final int elementBytes;
    private final boolean residualInPlace;

    /**
     * @param nodes compute and view nodes in run order (no leaves)
     * @param elementBytes bytes per stored element (4 for F32 storage, 2 for F16/BF16)
     * @param workspace bytes of scratch a node needs while it runs (0 for none)
     * @param residualInPlace whether a residual epilogue may write over its residual
     */
    MemoryPlan(List<Node> inputs, List<Node> nodes, List<Node> outputs, int elementBytes, long alignment,
               ToLongFunction<Node> workspace, boolean residualInPlace) {
        this.elementBytes = elementBytes;
        this.residualInPlace = residualInPlace;
        int end = nodes.size();
        Map<Node, Integer> lastUse = new IdentityHashMap<>();
        for (Node in : inputs) rootOf.put(in, in);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            for (Node x : n.inputs) if (x != null) lastUse.put(root(x), i);
            if (n.op.isView()) {
                Node src = n.inputs[0];
                rootOf.put(n, root(src));
                elementOffset.put(n, elementOffset.getOrDefault(src, 0L) + viewOffset(n));
            } else {
                rootOf.put(n, n);
            }
        }
        for (Node o : outputs) lastUse.put(root(o), end);
        for (Node in : inputs) {
            Buffer b = new Buffer(align(bytes(in), alignment), -1, lastUse.getOrDefault(in, -1));
            bufferOf.put(in, b);
            buffers.add(b);
        }
        long total = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op.isView()) {
                Buffer src = bufferOf.get(root(n.inputs[0]));
                if (src != null) bufferOf.put(n, src);
                continue;
            }
            long ws = workspace.applyAsLong(n);
            if (ws > 0) {
                Buffer w = new Buffer(align(ws, alignment), i, i);
                workspaceOf.put(n, w);
                buffers.add(w);
            }
            long size = align(bytes(n), alignment);
            total += size;
            int dies = lastUse.getOrDefault(n, i);
            Buffer reused = inPlace(n, i, size, lastUse);
            if (reused != null) {
                reused.death = Math.max(reused.death, dies);
                bufferOf.put(n, reused);
                continue;
            }
            Buffer b = new Buffer(size, i, dies);
            bufferOf.put(n, b);
            buffers.add(b);
        }
        this.unplannedBytes = total;
        this.arenaBytes = layout(alignment);
    }

    private Node root(Node n) {
        Node r = rootOf.get(n);
        return r == null ? n : r;
    }

    private long bytes(Node n) {
        return n.numel() * elementBytes;
    }

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    /** Element offset of a view node within its source. */
    private static long viewOffset(Node n) {
        if (n.op != Op.SLICE) return 0;
        Attrs.Slice s = n.attrs(Attrs.Slice.class);
        int[] src = n.inputs[0].shape();
        long inner = 1;
        for (int i = s.dim() + 1; i < src.length; i++) inner *= src[i];
        return s.start() * inner;
    }

    /** The buffer of an input that {@code n} may overwrite (dies at n, same size, not a view at an offset), or null. */
    private Buffer inPlace(Node n, int at, long size, Map<Node, Integer> lastUse) {
        for (int idx = 0; idx < n.inputs.length; idx++) {
            Node x = n.inputs[idx];
            if (x == null || !mayOverwrite(n, idx)) continue;
            Node r = root(x);
            Buffer b = bufferOf.get(r);
            if (b == null || b.bytes != size || elementOffset.getOrDefault(x, 0L) != 0) continue;
            if (lastUse.getOrDefault(r, -1) != at || b.death != at || readsElsewhere(n, idx, r)) continue;
            return b;
        }
        return null;
    }

    /**
     * Whether another operand of {@code n} reads root {@code r} other than element for element at the same place
     * (a convolution reading it, or an elementwise op reading a shifted view): overwriting r would corrupt it.
     */
    private boolean readsElsewhere(Node n, int idx, Node r) {
        for (int j = 0; j < n.inputs.length; j++) {
            Node y = n.inputs[j];
            if (j == idx || y == null || root(y) != r) continue;
            boolean sameElements = n.op.mayOverwrite(j) && elementOffset.getOrDefault(y, 0L) == 0 && y.numel() == n.numel();
            if (!sameElements) return true;
        }
        return false;
    }

    private boolean mayOverwrite(Node n, int idx) {
        if (n.op.mayOverwrite(idx)) return true;
        if (!residualInPlace) return false;
        // a residual epilogue without activation adds the residual first and accumulates onto it
        if ((n.op == Op.CONV2D || n.op == Op.CONV_TRANSPOSE2D || n.op == Op.LINEAR) && idx == n.inputs.length - 1) {
            Epilogue e = n.op == Op.LINEAR ? n.attrs(Attrs.Linear.class).epilogue() : n.attrs(Attrs.Conv.class).epilogue();
            return e.residual() && e.act() == null;
        }
        return false;
    }

    private long layout(long alignment) {
        Buffer[] bySize = buffers.toArray(new Buffer[0]);
        Arrays.sort(bySize, (a, b) -> Long.compare(b.bytes, a.bytes));
        List<Buffer> placed = new ArrayList<>(bySize.length);
        long end = 0;
        List<long[]> busy = new ArrayList<>();
        for (Buffer b : bySize) {
            if (b.bytes == 0) continue;
            busy.clear();
            for (Buffer p : placed) {
                if (p.birth <= b.death && b.birth <= p.death) busy.add(new long[] {p.offset, p.offset + p.bytes});
            }
            busy.sort((x, y) -> Long.compare(x[0], y[0]));
            long off = 0;
            for (long[] r : busy) {
                if (off + b.bytes <= r[0]) break;
                off = Math.max(off, align(r[1], alignment));
            }
            b.offset = off;
            end = Math.max(end, off + b.bytes);
            placed.add(b);
        }
        return end;
    }

    /** Bytes of the arena a run needs. */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** Sum of every node's output size: what running the nodes without a plan would allocate. */
    public long unplannedBytes() {
        return unplannedBytes;
    }

    /** Whether {@code n}'s value lives in the arena (else it is, or views, a constant). */
    public boolean inArena(Node n) {
        return bufferOf.containsKey(n);
    }

    /** Byte offset of {@code n}'s first element in the arena. */
    public long offset(Node n) {
        Buffer b = bufferOf.get(n);
        if (b == null) throw new IllegalStateException(n + " has no place in the arena");
        return b.offset + elementOffset.getOrDefault(n, 0L) * elementBytes;
    }

    /** The CONSTANT (or INPUT, or compute node) whose memory {@code n} views; {@code n} itself if not a view. */
    public Node rootOf(Node n) {
        return root(n);
    }

    /** Element offset of a view within its root's value (0 for non-views). */
    public long elementOffset(Node n) {
        return elementOffset.getOrDefault(n, 0L);
    }

    /** Byte offset of {@code n}'s workspace, or -1 when it has none. */
    public long workspaceOffset(Node n) {
        Buffer w = workspaceOf.get(n);
        return w == null ? -1 : w.offset;
    }
}
