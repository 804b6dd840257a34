package dev.sodec.codec.conformance;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Runs a case's network the way the codec does: its inputs become graph inputs, the body records the network and
 * declares the outputs by the case's names, and the graph is compiled for the backend and run once.
 */
final class GraphRun {
    private GraphRun() {}

    static Map<String, Tensor> run(Backend b, Map<String, Tensor> inputs, BiConsumer<Graph, Map<String, Node>> body) {
        Graph g = new Graph();
        Map<String, Node> in = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) in.put(e.getKey(), g.input(e.getKey(), e.getValue().shape()));
        body.accept(g, in);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Executable x = Executable.compile(b, g)) {
            Tensor[] r = x.run(inputs.values().toArray(new Tensor[0]));
            List<String> names = List.copyOf(g.outputs().keySet());
            for (int i = 0; i < r.length; i++) out.put(names.get(i), r[i]);
        }
        return out;
    }

    /** One input {@code name}, one output "y". */
    static Map<String, Tensor> single(Backend b, String name, Tensor x, java.util.function.BiFunction<Graph, Node, Node> body) {
        return run(b, Map.of(name, x), (g, in) -> g.output("y", body.apply(g, in.get(name))));
    }
}
