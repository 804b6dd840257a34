package dev.sodec.codec.onedc;

import dev.sodec.codec.compression.FixedOrderGraph;
import dev.sodec.codec.onedc.entropy.SpatialPrior;
import dev.sodec.codec.onedc.net.HyperDecoder;
import dev.sodec.codec.onedc.net.SpatialPriorNets;
import dev.sodec.codec.onedc.net.YPriorFusion;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Everything that decides OneDC's CDF tables and y_hat, on the fixed-order host path ({@link FixedOrderGraph}):
 * the step-0 params from z_hat (hyper_dec's feat_in and to_entropy, then y_prior_fusion) and the four-part prior's
 * networks between steps. The encoder and the decoder both run it, so a stream encoded on any backend, thread count
 * or machine decodes on any other. The graphs are built once per shape (a few sizes kept). Thread-safe.
 */
public final class FixedOrderPrior {
    private static final int KEPT = 16;

    private final HyperDecoder hyper;
    private final YPriorFusion fusion;
    private final SpatialPriorNets prior;
    private final Map<String, FixedOrderGraph> graphs = new LinkedHashMap<>(16, 0.75f, true);

    /** @param hyper, fusion the hyper decoder and y_prior_fusion, or null when only {@link #spatial} is used */
    public FixedOrderPrior(HyperDecoder hyper, YPriorFusion fusion, SpatialPriorNets prior) {
        this.hyper = hyper;
        this.fusion = fusion;
        this.prior = prior;
    }

    /** The step-0 params (1, 2N, 4h, 4w) from the FSQ codes z_hat (1, z channels, h, w). */
    public Tensor params(Parallel par, Tensor zHat) {
        if (hyper == null || fusion == null) throw new IllegalStateException("no hyper decoder and y_prior_fusion given");
        return run(par, "params", (g, in) -> g.output("params", fusion.forward(g, hyper.entropy(g, hyper.semantic(g, in[0])))), zHat);
    }

    /** The four-part prior's networks, running on {@code par}. */
    public SpatialPrior spatial(Parallel par) {
        return new SpatialPrior() {
            @Override
            public Tensor reduce(Tensor params) {
                return run(par, "reduce", (g, in) -> g.output("common", prior.reduce(g, in[0])), params);
            }

            @Override
            public Tensor stepParams(int step, Tensor yHatSoFar, Tensor common) {
                return run(par, "step" + step, (g, in) -> g.output("params", prior.stepParams(g, step, in[0], in[1])), yHatSoFar, common);
            }
        };
    }

    private Tensor run(Parallel par, String what, BiConsumer<Graph, Node[]> body, Tensor... inputs) {
        StringBuilder key = new StringBuilder(what);
        for (Tensor t : inputs) key.append(Arrays.toString(t.shape()));
        FixedOrderGraph f;
        synchronized (graphs) {
            f = graphs.get(key.toString());
        }
        if (f == null) {
            Graph g = new Graph();
            Node[] in = new Node[inputs.length];
            for (int i = 0; i < in.length; i++) in[i] = g.input("x" + i, inputs[i].shape());
            body.accept(g, in);
            f = FixedOrderGraph.of(g);
            synchronized (graphs) {
                graphs.put(key.toString(), f);
                if (graphs.size() > KEPT) graphs.remove(graphs.keySet().iterator().next());
            }
        }
        return f.run(par, inputs)[0];
    }
}
