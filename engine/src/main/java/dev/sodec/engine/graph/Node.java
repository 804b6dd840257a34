package dev.sodec.engine.graph;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * One value of a {@link Graph}: the op that computes it, its inputs (null where an optional operand is absent),
 * its attributes, and its shape and dtype, inferred and checked when it was recorded. Immutable. Every value is
 * F32 to the graph; a backend may store activations in a narrower type.
 */
public final class Node {
    public final Op op;
    final Node[] inputs;
    final Object attrs;
    private final int[] shape;
    public final DType dtype;
    /** The tensor of a CONSTANT node, else null. */
    final Tensor constant;
    /** The caller's name of an INPUT node, else null. */
    final String name;
    final Graph graph;
    final int id;
    /** The stage of the network this node belongs to (for per-stage timing), or null. */
    final String stage;

    Node(Graph graph, int id, Op op, Node[] inputs, Object attrs, int[] shape, Tensor constant, String name) {
        this(graph, id, op, inputs, attrs, shape, constant, name, graph.currentStage());
    }

    private Node(Graph graph, int id, Op op, Node[] inputs, Object attrs, int[] shape, Tensor constant, String name, String stage) {
        this.stage = stage;
        this.graph = graph;
        this.id = id;
        this.op = op;
        this.inputs = inputs;
        this.attrs = attrs;
        this.shape = shape;
        this.dtype = DType.F32;
        this.constant = constant;
        this.name = name;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d}; negative counts from the end. */
    public int dim(int d) {
        return shape[d < 0 ? shape.length + d : d];
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    /** A copy of this node with other inputs and attributes (a graph rewrite's result); shape and kind stay. */
    Node derive(Node[] newInputs, Object newAttrs) {
        return new Node(graph, graph.nextDerivedId(), op, newInputs, newAttrs, shape, constant, name, stage);
    }

    /** Operand {@code i} (null when that optional operand is absent). */
    public Node input(int i) {
        return inputs[i];
    }

    public int inputCount() {
        return inputs.length;
    }

    /** The attributes record of this node's op ({@link Attrs}), cast to the expected type. */
    public <T> T attrs(Class<T> type) {
        return type.cast(attrs);
    }

    /** The constant tensor (CONSTANT nodes). */
    public Tensor constant() {
        if (op != Op.CONSTANT) throw new IllegalStateException(this + " is not a constant");
        return constant;
    }

    /** The stage label the node was recorded under ({@link Graph#stage}), or null. */
    public String stage() {
        return stage;
    }

    /** The name of an INPUT node. */
    public String name() {
        return name;
    }

    /** A view with another shape (one dimension may be -1); records a RESHAPE node. */
    public Node reshape(int... newShape) {
        return graph.reshape(this, newShape);
    }

    /** [start, end) along {@code dim}: a view when contiguous, else a copy. */
    public Node slice(int dim, int start, int end) {
        return graph.slice(this, dim, start, end);
    }

    @Override
    public String toString() {
        return op.label + "#" + id + Arrays.toString(shape);
    }
}
