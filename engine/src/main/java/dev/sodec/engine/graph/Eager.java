package dev.sodec.engine.graph;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One op at a time on a backend, for tests, conformance op cases and small host-side uses: each call records a
 * one-node graph whose operands are all inputs, compiles it, runs it and returns the result. Slow per call (a
 * compile each time); networks build whole graphs instead.
 */
public final class Eager implements AutoCloseable {
    private final Backend backend;

    /**
     * Runs a whole recorded network once: {@code inputs} become graph inputs by name, {@code body} records the
     * network and declares its outputs ({@link Graph#output}); returns the outputs by name, in declaration order.
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, BiConsumer<Graph, Map<String, Node>> body) {
        Graph g = new Graph();
        Map<String, Node> in = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) in.put(e.getKey(), g.input(e.getKey(), e.getValue().shape()));
        body.accept(g, in);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Executable x = Executable.compile(backend, g)) {
            Tensor[] r = x.run(inputs.values().toArray(new Tensor[0]));
            List<String> names = List.copyOf(g.outputs().keySet());
            for (int i = 0; i < r.length; i++) out.put(names.get(i), r[i]);
        }
        return out;
    }

    public Eager(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** Closes the backend (for tests that own both). */
    @Override
    public void close() {
        backend.close();
    }

    /** Records one result from graph inputs (null where the operand was null). */
    @FunctionalInterface
    public interface Forward {
        Node apply(Graph g, Node[] inputs);
    }

    /** Records {@code op} over graph inputs made from {@code operands} (nulls stay null) and runs it. */
    public Tensor run(Forward op, Tensor... operands) {
        Graph g = new Graph();
        Node[] in = new Node[operands.length];
        List<Tensor> given = new ArrayList<>();
        for (int i = 0; i < operands.length; i++) {
            if (operands[i] == null) continue;
            in[i] = g.input("x" + i, operands[i].shape());
            given.add(operands[i]);
        }
        g.output("y", op.apply(g, in));
        try (Executable e = Executable.compile(backend, g)) {
            return e.run(given.toArray(new Tensor[0]))[0];
        }
    }

    public Tensor linear(Tensor x, Tensor w, Tensor b) {
        return run((g, n) -> g.linear(n[0], n[1], n[2]), x, w, b);
    }

    public Tensor matmul(Tensor a, Tensor b) {
        return run((g, n) -> g.matmul(n[0], n[1]), a, b);
    }

    public Tensor conv2d(Tensor x, Tensor w, Tensor b, Conv2dParams p) {
        return run((g, n) -> g.conv2d(n[0], n[1], n[2], p), x, w, b);
    }

    public Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, Conv2dParams p) {
        return run((g, n) -> g.convTranspose2d(n[0], n[1], n[2], p), x, w, b);
    }

    public Tensor gdn(Tensor x, Tensor beta, Tensor gamma, boolean inverse) {
        return run((g, n) -> g.gdn(n[0], n[1], n[2], inverse), x, beta, gamma);
    }

    public Tensor groupNorm(Tensor x, int groups, Tensor w, Tensor b, float eps, boolean silu) {
        return run((g, n) -> {
            Node y = g.groupNorm(n[0], groups, n[1], n[2], eps);
            return silu ? g.silu(y) : y;
        }, x, w, b);
    }

    public Tensor layerNorm(Tensor x, Tensor w, Tensor b, float eps) {
        return run((g, n) -> g.layerNorm(n[0], n[1], n[2], eps), x, w, b);
    }

    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale) {
        return run((g, n) -> g.attention(n[0], n[1], n[2], heads, scale), q, k, v);
    }

    public Tensor softmax(Tensor x) {
        return run((g, n) -> g.softmax(n[0]), x);
    }

    public Tensor unary(Tensor x, Act act) {
        return run((g, n) -> g.unary(n[0], act), x);
    }

    public Tensor geluErf(Tensor x) {
        return unary(x, Act.GELU_ERF);
    }

    public Tensor geluTanh(Tensor x) {
        return unary(x, Act.GELU_TANH);
    }

    public Tensor silu(Tensor x) {
        return unary(x, Act.SILU);
    }

    public Tensor quickGelu(Tensor x) {
        return unary(x, Act.QUICK_GELU);
    }

    public Tensor leakyRelu(Tensor x, float slope) {
        return unary(x, Act.leakyRelu(slope));
    }

    public Tensor scale(Tensor x, float mul, float add) {
        return unary(x, Act.scale(mul, add));
    }

    public Tensor clamp(Tensor x, float lo, float hi) {
        return unary(x, Act.clamp(lo, hi));
    }

    public Tensor geglu(Tensor x) {
        return run((g, n) -> g.geglu(n[0]), x);
    }

    public Tensor add(Tensor a, Tensor b) {
        return run((g, n) -> g.add(n[0], n[1]), a, b);
    }

    public Tensor mul(Tensor a, Tensor b) {
        return run((g, n) -> g.mul(n[0], n[1]), a, b);
    }

    public Tensor addPerChannel(Tensor x, Tensor bias) {
        return run((g, n) -> g.addPerChannel(n[0], n[1]), x, bias);
    }

    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return run((g, n) -> g.upsampleNearest(n[0], outH, outW), x);
    }

    public Tensor resizeBilinear(Tensor x, int outH, int outW) {
        return run((g, n) -> g.resizeBilinear(n[0], outH, outW), x);
    }

    public Tensor pixelShuffle(Tensor x, int r) {
        return run((g, n) -> g.pixelShuffle(n[0], r), x);
    }

    public Tensor concat(int dim, Tensor... xs) {
        return run((g, n) -> g.concat(dim, n), xs);
    }

    public Tensor transpose(Tensor x) {
        return run((g, n) -> g.transpose(n[0]), x);
    }

    public Tensor slice(Tensor x, int dim, int start, int end) {
        return run((g, n) -> g.slice(n[0], dim, start, end), x);
    }
}
