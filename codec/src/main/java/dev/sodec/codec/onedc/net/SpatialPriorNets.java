package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * The networks OneDC's four-part prior runs between its steps (IntraNoAR): {@code y_spatial_prior_reduction} (1x1
 * 2N -> N: "common" from the step-0 params), {@code y_spatial_prior_adaptor_{1,2,3}} (DCB4 2N each) and the shared
 * {@code y_spatial_prior} (3 x DCB4 2N): the params of step k = y_spatial_prior(adaptor_k(cat(y_hat_so_far,
 * common))).
 */
public final class SpatialPriorNets {
    private final Conv2d reduction;
    private final DepthConvBlock4[] adaptors;
    private final Sequential spatialPrior;

    private SpatialPriorNets(Conv2d reduction, DepthConvBlock4[] adaptors, Sequential spatialPrior) {
        this.reduction = reduction;
        this.adaptors = adaptors;
        this.spatialPrior = spatialPrior;
    }

    /** Loads from the codec's unscoped weights (the five module prefixes). */
    public static SpatialPriorNets load(StateDict sd, IntraNoArConfig c) {
        int n = c.n(), n2 = 2 * n;
        Conv2d reduction = Conv2d.load(sd.scope("y_spatial_prior_reduction"), n2, n, 1, Conv2dParams.of(1, 0), true);
        DepthConvBlock4[] adaptors = new DepthConvBlock4[3];
        for (int k = 0; k < 3; k++) adaptors[k] = DepthConvBlock4.load(sd.scope("y_spatial_prior_adaptor_" + (k + 1)), n2, n2);
        Sequential sp = Sequential.under(sd.scope("y_spatial_prior")).add(x -> DepthConvBlock4.load(x, n2, n2))
                .add(x -> DepthConvBlock4.load(x, n2, n2)).add(x -> DepthConvBlock4.load(x, n2, n2)).build();
        return new SpatialPriorNets(reduction, adaptors, sp);
    }

    /** common = y_spatial_prior_reduction(params). */
    public Node reduce(Graph g, Node params) {
        return reduction.forward(g, params);
    }

    /** The params of step {@code step} (1..3). */
    public Node stepParams(Graph g, int step, Node yHatSoFar, Node common) {
        if (step < 1 || step > 3) throw new IllegalArgumentException("four-part prior step " + step + " (1..3 have networks)");
        return spatialPrior.forward(g, adaptors[step - 1].forward(g, g.concat(1, yHatSoFar, common)));
    }
}
