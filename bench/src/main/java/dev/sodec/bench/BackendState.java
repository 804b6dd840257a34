package dev.sodec.bench;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.util.function.BiFunction;
import java.util.SplittableRandom;

/**
 * Shared set-up of the op benchmarks that go through the Backend SPI: the backend by name (JMH param
 * {@code backend}, e.g. {@code cpu}; a GPU backend is measured the same way where one is built and a device is
 * present) and seeded random inputs.
 */
final class BackendState {
    private BackendState() {}

    /**
     * A CPU backend with Winograd's reach ({@code true}, {@code false} or {@code wide}) and weight prepacking (system
     * properties sodec.cpu.winograd and sodec.cpu.prepack, read by its constructor) set as given; the properties are
     * restored after.
     */
    static dev.sodec.engine.cpu.CpuBackend cpuWith(int threads, String winograd, boolean prepack) {
        String w = System.getProperty("sodec.cpu.winograd"), p = System.getProperty("sodec.cpu.prepack");
        System.setProperty("sodec.cpu.winograd", winograd);
        System.setProperty("sodec.cpu.prepack", Boolean.toString(prepack));
        try {
            return new dev.sodec.engine.cpu.CpuBackend(threads);
        } finally {
            restore("sodec.cpu.winograd", w);
            restore("sodec.cpu.prepack", p);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key); else System.setProperty(key, value);
    }

    static Backend open(String name, int threads) {
        return Backends.create(name, threads);
    }

    /**
     * One op as a compiled graph over {@code inputs} (weights stay constants inside {@code op}): the benchmark then
     * measures a planned run, as networks run (inputs copied in, output copied out; small next to the op).
     */
    static Executable compile(Backend b, Tensor[] inputs, BiFunction<Graph, Node[], Node> op) {
        Graph g = new Graph();
        Node[] in = new Node[inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = g.input("in" + i, inputs[i].shape());
        g.output("y", op.apply(g, in));
        return Executable.compile(b, g);
    }

    static Tensor random(long seed, int... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() - 0.5);
        return Tensor.fromFloats(v, shape);
    }
}
