package dev.sodec.codec.compression;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Act;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a recorded {@link Graph} on the host with a reduction order fixed by definition, never through a backend:
 * how the networks whose outputs select entropy-coding CDFs (OneDC's hyper decoder and prior networks) give the
 * same bits on the encoder and the decoder whatever backend, thread count or machine either uses. The networks are
 * the same {@code forward(Graph, ...)} code the backends run; only the executor differs.
 *
 * <p>Per element: convolutions are {@link FixedOrderConv}'s definition; add is one float32 addition; leaky ReLU is
 * {@code x < 0 ? x * slope : x}; scale is {@code Math.fma(x, mul, add)} (exact in Java on every machine); pixel
 * shuffle, slices, concatenations and reshapes move values. Any other op is refused: it has no fixed-order
 * definition here. Batch 1 (the convolutions take (1, C, H, W)).
 *
 * <p>Built once per graph (the weights are converted to arrays once); {@link #run} is thread-safe.
 */
public final class FixedOrderGraph {
    private record Value(float[] data, int[] shape) {}

    private final List<Node> order;
    private final List<Node> inputs;
    private final List<Node> outputs;
    private final Map<Node, float[]> constants = new IdentityHashMap<>();

    private FixedOrderGraph(List<Node> order, List<Node> inputs, List<Node> outputs) {
        this.order = order;
        this.inputs = inputs;
        this.outputs = outputs;
        for (Node n : order) {
            check(n);
            if (n.op == Op.CONSTANT) constants.put(n, n.constant().toFloatArray());
        }
    }

    /** Prepares {@code g} (its declared inputs and outputs) for fixed-order runs. */
    public static FixedOrderGraph of(Graph g) {
        if (g.outputs().isEmpty()) throw new IllegalArgumentException("graph has no outputs");
        List<Node> outs = new ArrayList<>(g.outputs().values());
        return new FixedOrderGraph(topological(outs), g.inputs(), outs);
    }

    /** The nodes the outputs depend on, each after its inputs (iterative depth-first post-order). */
    private static List<Node> topological(List<Node> outputs) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> state = new IdentityHashMap<>(); // false: being visited, true: done
        for (Node root : outputs) {
            List<Node> stack = new ArrayList<>(List.of(root));
            List<Integer> next = new ArrayList<>(List.of(0));
            state.putIfAbsent(root, false);
            if (state.get(root)) continue;
            while (!stack.isEmpty()) {
                int top = stack.size() - 1;
                Node n = stack.get(top);
                int i = next.get(top);
                if (i < n.inputCount()) {
                    next.set(top, i + 1);
                    Node in = n.input(i);
                    if (in != null && !state.containsKey(in)) {
                        state.put(in, false);
                        stack.add(in);
                        next.add(0);
                    }
                } else {
                    state.put(n, true);
                    order.add(n);
                    stack.remove(top);
                    next.remove(top);
                }
            }
        }
        return order;
    }

    private static void check(Node n) {
        switch (n.op) {
            case INPUT, CONSTANT, RESHAPE, SLICE, SLICE_COPY, ADD, PIXEL_SHUFFLE, CONCAT -> { }
            case CONV2D -> {
                if (n.dim(0) != 1) throw new IllegalArgumentException("fixed-order graph: " + n + " has a batch above 1");
            }
            case UNARY -> {
                Act.Kind k = n.attrs(Act.class).kind();
                if (k != Act.Kind.LEAKY_RELU && k != Act.Kind.SCALE) {
                    throw new IllegalArgumentException("fixed-order graph: no fixed-order definition of " + n.attrs(Act.class).label());
                }
            }
            default -> throw new IllegalArgumentException("fixed-order graph: no fixed-order definition of op " + n.op.label + " (" + n + ")");
        }
    }

    /** The outputs, in declaration order, for the inputs in declaration order. */
    public Tensor[] run(Parallel par, Tensor... in) {
        if (in.length != inputs.size()) throw new IllegalArgumentException("graph takes " + inputs.size() + " inputs, got " + in.length);
        Map<Node, Value> v = new IdentityHashMap<>();
        for (int i = 0; i < in.length; i++) {
            Node n = inputs.get(i);
            if (!Arrays.equals(in[i].shape(), n.shape())) {
                throw new IllegalArgumentException("input '" + n.name() + "' must have shape " + Arrays.toString(n.shape()) + ", got " + Arrays.toString(in[i].shape()));
            }
            v.put(n, new Value(in[i].toFloatArray(), n.shape()));
        }
        for (Node n : order) if (!v.containsKey(n)) v.put(n, eval(par, n, v));
        Tensor[] out = new Tensor[outputs.size()];
        for (int i = 0; i < out.length; i++) {
            Value r = v.get(outputs.get(i));
            out[i] = Tensor.fromFloats(r.data.clone(), r.shape);
        }
        return out;
    }

    private Value eval(Parallel par, Node n, Map<Node, Value> v) {
        int[] shape = n.shape();
        return switch (n.op) {
            case INPUT -> throw new IllegalStateException("input " + n.name() + " not given");
            case CONSTANT -> new Value(constants.get(n), shape);
            case RESHAPE -> new Value(v.get(n.input(0)).data, shape);
            case SLICE, SLICE_COPY -> new Value(slice(v.get(n.input(0)), n.attrs(Attrs.Slice.class)), shape);
            case ADD -> {
                float[] a = v.get(n.input(0)).data, b = v.get(n.input(1)).data, o = new float[a.length];
                for (int i = 0; i < o.length; i++) o[i] = a[i] + b[i];
                yield new Value(o, shape);
            }
            case UNARY -> new Value(unary(v.get(n.input(0)).data, n.attrs(Act.class)), shape);
            case PIXEL_SHUFFLE -> new Value(pixelShuffle(v.get(n.input(0)), n.attrs(Attrs.PixelShuffle.class).factor()), shape);
            case CONCAT -> {
                Value[] parts = new Value[n.inputCount()];
                for (int i = 0; i < parts.length; i++) parts[i] = v.get(n.input(i));
                yield new Value(concat(parts, n.attrs(Attrs.Concat.class).dim(), shape), shape);
            }
            case CONV2D -> {
                Value x = v.get(n.input(0));
                Node w = n.input(1), b = n.input(2);
                Conv2dParams p = n.attrs(Attrs.Conv.class).params();
                FixedOrderConv.Map3 out = FixedOrderConv.conv2d(par, new FixedOrderConv.Map3(x.data, x.shape[1], x.shape[2], x.shape[3]),
                        data(w, v), w.shape(), b == null ? null : data(b, v), p);
                yield new Value(out.data(), shape);
            }
            default -> throw new IllegalStateException(n.op.label);
        };
    }

    private float[] data(Node n, Map<Node, Value> v) {
        float[] c = constants.get(n);
        return c != null ? c : v.get(n).data;
    }

    private static float[] unary(float[] x, Act act) {
        float[] o = new float[x.length];
        if (act.kind() == Act.Kind.LEAKY_RELU) {
            float slope = act.a();
            for (int i = 0; i < o.length; i++) o[i] = x[i] < 0 ? x[i] * slope : x[i];
        } else {
            for (int i = 0; i < o.length; i++) o[i] = Math.fma(x[i], act.a(), act.b());
        }
        return o;
    }

    /** [start, end) along dim of a row-major array. */
    private static float[] slice(Value x, Attrs.Slice s) {
        int[] sh = x.shape;
        long outer = 1, inner = 1;
        for (int i = 0; i < s.dim(); i++) outer *= sh[i];
        for (int i = s.dim() + 1; i < sh.length; i++) inner *= sh[i];
        int len = s.end() - s.start();
        float[] o = new float[Math.toIntExact(outer * len * inner)];
        for (long a = 0; a < outer; a++) {
            System.arraycopy(x.data, Math.toIntExact((a * sh[s.dim()] + s.start()) * inner), o, Math.toIntExact(a * len * inner), Math.toIntExact(len * inner));
        }
        return o;
    }

    private static float[] concat(Value[] parts, int dim, int[] outShape) {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= outShape[i];
        for (int i = dim + 1; i < outShape.length; i++) inner *= outShape[i];
        float[] o = new float[Math.toIntExact(Shapes.numel(outShape))];
        int at = 0;
        for (Value p : parts) {
            int len = p.shape[dim];
            for (long a = 0; a < outer; a++) {
                System.arraycopy(p.data, Math.toIntExact(a * len * inner), o, Math.toIntExact((a * outShape[dim] + at) * inner), Math.toIntExact(len * inner));
            }
            at += len;
        }
        return o;
    }

    /** torch pixel_shuffle: out[b, c, h r + i, w r + j] = in[b, c r^2 + i r + j, h, w]. */
    private static float[] pixelShuffle(Value x, int r) {
        int b = x.shape[0], cin = x.shape[1], h = x.shape[2], w = x.shape[3], c = cin / (r * r);
        float[] o = new float[x.data.length];
        int oh = h * r, ow = w * r;
        for (int bb = 0; bb < b; bb++) for (int cc = 0; cc < c; cc++) for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) {
            int src = ((bb * cin + cc * r * r + i * r + j) * h) * w;
            for (int y = 0; y < h; y++) {
                int dst = ((bb * c + cc) * oh + y * r + i) * ow + j;
                for (int xx = 0; xx < w; xx++) o[dst + xx * r] = x.data[src + y * w + xx];
            }
        }
        return o;
    }
}
