package dev.sodec.engine.graph;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's computation, recorded instead of run: each op method checks its operands ({@link ShapeRules}),
 * infers the result's shape and appends a {@link Node}. Networks build one by calling their forward methods with
 * a graph ({@code conv1.forward(g, norm1.forward(g, x))}); {@link Executable#compile} then fuses, plans memory
 * and hands the checked nodes to a backend. Weights enter as constants ({@link #constant}), interned by tensor
 * identity so a layer used twice reads one resident copy. Not thread-safe: one thread builds a graph.
 */
public final class Graph {
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> inputs = new ArrayList<>();
    private final Map<String, Node> outputs = new LinkedHashMap<>();
    private final Map<Tensor, Node> constants = new IdentityHashMap<>();
    private String stage;

    /**
     * Labels the nodes recorded from now on with {@code name} (a stage of the network, e.g. "unet"), so a profiled
     * run can report time per stage; null stops labelling.
     */
    public void stage(String name) {
        this.stage = name;
    }

    String currentStage() {
        return stage;
    }

    /** Ids of nodes made by rewrites count down from -1, apart from recorded ones. */
    private int derivedIds;

    synchronized int nextDerivedId() {
        return --derivedIds;
    }

    // ------------------------------------------------------------------ leaves and outputs

    /** A value the caller passes to each run, by position in declaration order. */
    public Node input(String name, int... shape) {
        Shapes.numel(shape);
        for (Node n : inputs) if (n.name.equals(name)) throw new IllegalArgumentException("input '" + name + "' declared twice");
        Node n = add(Op.INPUT, new Node[0], null, shape.clone(), null, name);
        inputs.add(n);
        return n;
    }

    /** An input shaped like {@code t}. */
    public Node input(String name, Tensor t) {
        return input(name, t.shape());
    }

    /** A fixed tensor (weights); the same tensor object always gives the same node. Null gives null. */
    public Node constant(Tensor t) {
        if (t == null) return null;
        if (!t.dtype().isFloat()) throw new IllegalArgumentException("constant " + t + " is not a float tensor");
        Node n = constants.get(t);
        if (n == null) {
            n = add(Op.CONSTANT, new Node[0], null, t.shape(), t, null);
            constants.put(t, n);
        }
        return n;
    }

    /** Marks {@code n} as a result the run returns, under {@code name} (in declaration order). */
    public Node output(String name, Node n) {
        own(n);
        if (outputs.containsKey(name)) throw new IllegalArgumentException("output '" + name + "' declared twice");
        outputs.put(name, n);
        return n;
    }

    List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Node> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public Map<String, Node> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    /** Recorded nodes, leaves included. */
    public int size() {
        return nodes.size();
    }

    private Node add(Op op, Node[] in, Object attrs, int[] shape, Tensor constant, String name) {
        for (Node i : in) if (i != null) own(i);
        Node n = new Node(this, nodes.size(), op, in, attrs, shape, constant, name);
        nodes.add(n);
        return n;
    }

    private void own(Node n) {
        if (n.graph != this) throw new IllegalArgumentException(n + " belongs to another graph");
    }

    private static int[] s(Node n) {
        return n.shape();
    }

    // ------------------------------------------------------------------ views

    public Node reshape(Node x, int... shape) {
        int[] s = ShapeRules.reshape(s(x), shape);
        return add(Op.RESHAPE, new Node[] {x}, null, s, null, null);
    }

    /** [start, end) along {@code dim} (negative counts from the end): a view when contiguous, else a copy. */
    public Node slice(Node x, int dim, int start, int end) {
        int[] xs = s(x);
        int d = ShapeRules.sliceDim(xs, dim, start, end);
        int[] o = xs.clone();
        o[d] = end - start;
        Op op = ShapeRules.contiguousSlice(xs, d) ? Op.SLICE : Op.SLICE_COPY;
        return add(op, new Node[] {x}, new Attrs.Slice(d, start, end), o, null, null);
    }

    // ------------------------------------------------------------------ linear algebra

    /** x (..., in) times weight (out, in) transposed, plus bias (out) when not null. */
    public Node linear(Node x, Node weight, Node bias) {
        int[] o = ShapeRules.linear(s(x), s(weight), bias);
        return add(Op.LINEAR, new Node[] {x, weight, bias}, new Attrs.Linear(Epilogue.NONE), o, null, null);
    }

    public Node linear(Node x, Tensor weight, Tensor bias) {
        return linear(x, constant(weight), constant(bias));
    }

    /** a (B, M, K) x b (B, K, N) -> (B, M, N); rank-2 operands are a batch of one; b may have a batch of one. */
    public Node matmul(Node a, Node b) {
        return add(Op.MATMUL, new Node[] {a, b}, null, ShapeRules.matmul(s(a), s(b)), null, null);
    }

    /** torch conv2d with zero padding; weight (Cout, Cin/groups, kH, kW), bias (Cout) or null. */
    public Node conv2d(Node x, Node weight, Node bias, Conv2dParams p) {
        int[] o = ShapeRules.conv2d(s(x), s(weight), bias, p);
        return add(Op.CONV2D, new Node[] {x, weight, bias}, new Attrs.Conv(p, Epilogue.NONE), o, null, null);
    }

    public Node conv2d(Node x, Tensor weight, Tensor bias, Conv2dParams p) {
        return conv2d(x, constant(weight), constant(bias), p);
    }

    /** torch conv_transpose2d; weight (Cin, Cout/groups, kH, kW), bias (Cout) or null. */
    public Node convTranspose2d(Node x, Node weight, Node bias, Conv2dParams p) {
        int[] o = ShapeRules.convTranspose2d(s(x), s(weight), bias, p);
        return add(Op.CONV_TRANSPOSE2D, new Node[] {x, weight, bias}, new Attrs.Conv(p, Epilogue.NONE), o, null, null);
    }

    public Node convTranspose2d(Node x, Tensor weight, Tensor bias, Conv2dParams p) {
        return convTranspose2d(x, constant(weight), constant(bias), p);
    }

    // ------------------------------------------------------------------ normalisation

    /**
     * GDN over channels of (B, C, H, W): norm = beta + gamma x^2 (channel mix); y = x / sqrt(norm), or x sqrt(norm)
     * when inverse. beta (C) and gamma (C, C) are the effective values.
     */
    public Node gdn(Node x, Node beta, Node gamma, boolean inverse) {
        ShapeRules.gdn(s(x), s(beta), s(gamma));
        return add(Op.GDN, new Node[] {x, beta, gamma}, new Attrs.Gdn(inverse), s(x), null, null);
    }

    public Node gdn(Node x, Tensor beta, Tensor gamma, boolean inverse) {
        return gdn(x, constant(beta), constant(gamma), inverse);
    }

    /** torch GroupNorm over (B, C, ...); weight/bias (C) or null (no affine). */
    public Node groupNorm(Node x, int groups, Node weight, Node bias, float eps) {
        ShapeRules.groupNorm(s(x), groups, weight, bias, eps);
        return add(Op.GROUP_NORM, new Node[] {x, weight, bias}, new Attrs.GroupNorm(groups, eps, false), s(x), null, null);
    }

    public Node groupNorm(Node x, int groups, Tensor weight, Tensor bias, float eps) {
        return groupNorm(x, groups, constant(weight), constant(bias), eps);
    }

    /** torch LayerNorm over the last dim; weight/bias (D) or null. */
    public Node layerNorm(Node x, Node weight, Node bias, float eps) {
        ShapeRules.layerNorm(s(x), weight, bias, eps);
        return add(Op.LAYER_NORM, new Node[] {x, weight, bias}, new Attrs.LayerNorm(eps), s(x), null, null);
    }

    public Node layerNorm(Node x, Tensor weight, Tensor bias, float eps) {
        return layerNorm(x, constant(weight), constant(bias), eps);
    }

    /**
     * Multi-head softmax(q k^T * scale) v: q (B, T, C), k (B, S, C), v (B, S, Cv); head h uses features
     * [h C/heads, (h+1) C/heads). Returns (B, T, Cv), heads concatenated.
     */
    public Node attention(Node q, Node k, Node v, int heads, float scale) {
        int[] o = ShapeRules.attention(s(q), s(k), s(v), heads, scale);
        return add(Op.ATTENTION, new Node[] {q, k, v}, new Attrs.Attention(heads, scale), o, null, null);
    }

    /** Softmax over the last dim. */
    public Node softmax(Node x) {
        ShapeRules.rankAtLeast("softmax", "input", s(x), 1);
        return add(Op.SOFTMAX, new Node[] {x}, null, s(x), null, null);
    }

    // ------------------------------------------------------------------ elementwise

    public Node unary(Node x, Act act) {
        return add(Op.UNARY, new Node[] {x}, act, s(x), null, null);
    }

    public Node silu(Node x) {
        return unary(x, Act.SILU);
    }

    public Node geluErf(Node x) {
        return unary(x, Act.GELU_ERF);
    }

    public Node geluTanh(Node x) {
        return unary(x, Act.GELU_TANH);
    }

    public Node quickGelu(Node x) {
        return unary(x, Act.QUICK_GELU);
    }

    public Node leakyRelu(Node x, float negativeSlope) {
        return unary(x, Act.leakyRelu(negativeSlope));
    }

    /** x * mul + add. */
    public Node scale(Node x, float mul, float add) {
        return unary(x, Act.scale(mul, add));
    }

    /** min(max(x, lo), hi); NaN stays NaN. */
    public Node clamp(Node x, float lo, float hi) {
        return unary(x, Act.clamp(lo, hi));
    }

    public Node abs(Node x) {
        return unary(x, Act.ABS);
    }

    /** diffusers GEGLU: x (..., 2n) -> x[..., :n] * gelu_erf(x[..., n:]). */
    public Node geglu(Node x) {
        return add(Op.GEGLU, new Node[] {x}, null, ShapeRules.geglu(s(x)), null, null);
    }

    /** a + b, same shape. */
    public Node add(Node a, Node b) {
        ShapeRules.sameShape("add", s(a), s(b));
        return add(Op.ADD, new Node[] {a, b}, null, s(a), null, null);
    }

    /** a * b, same shape. */
    public Node mul(Node a, Node b) {
        ShapeRules.sameShape("mul", s(a), s(b));
        return add(Op.MUL, new Node[] {a, b}, null, s(a), null, null);
    }

    /** x (B, C, ...) + bias broadcast over the trailing dims; bias (C) or (B, C). */
    public Node addPerChannel(Node x, Node bias) {
        ShapeRules.perChannel(s(x), s(bias));
        return add(Op.ADD_PER_CHANNEL, new Node[] {x, bias}, null, s(x), null, null);
    }

    // ------------------------------------------------------------------ resampling and layout

    /** Nearest upsampling of (B, C, H, W) with torch's index rule. */
    public Node upsampleNearest(Node x, int outH, int outW) {
        int[] o = ShapeRules.resample("upsample_nearest", s(x), outH, outW);
        return add(Op.UPSAMPLE_NEAREST, new Node[] {x}, new Attrs.Size(outH, outW), o, null, null);
    }

    /** Bilinear resize of (B, C, H, W), align_corners=False, no antialiasing. */
    public Node resizeBilinear(Node x, int outH, int outW) {
        int[] o = ShapeRules.resample("resize_bilinear", s(x), outH, outW);
        return add(Op.RESIZE_BILINEAR, new Node[] {x}, new Attrs.Size(outH, outW), o, null, null);
    }

    /** torch pixel_shuffle: (B, C r^2, H, W) -> (B, C, H r, W r). */
    public Node pixelShuffle(Node x, int r) {
        return add(Op.PIXEL_SHUFFLE, new Node[] {x}, new Attrs.PixelShuffle(r), ShapeRules.pixelShuffle(s(x), r), null, null);
    }

    /** Concatenation along {@code dim} (negative counts from the end); all other dims must match. */
    public Node concat(int dim, Node... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: no inputs");
        int d = ShapeRules.concatDim(dim, xs[0].rank());
        int[] o = ShapeRules.concat(d, xs);
        if (xs.length == 1) return xs[0];
        return add(Op.CONCAT, xs.clone(), new Attrs.Concat(d), o, null, null);
    }

    /** Swaps the last two dims. */
    public Node transpose(Node x) {
        return add(Op.TRANSPOSE, new Node[] {x}, null, ShapeRules.transpose(s(x)), null, null);
    }
}
