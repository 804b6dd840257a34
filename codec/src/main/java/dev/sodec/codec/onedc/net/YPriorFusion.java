package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's {@code y_prior_fusion} (IntraNoAR): DCB4 N -> 2N, DCB4 2N: the four-part prior's step-0 params
 * (1, 2N, H, W), scales then means, from the hyper decoder's entropy features.
 */
public final class YPriorFusion {
    private final Sequential fusion;

    private YPriorFusion(Sequential fusion) {
        this.fusion = fusion;
    }

    /** Loads from the codec's unscoped weights. */
    public static YPriorFusion load(StateDict sd, IntraNoArConfig c) {
        int n = c.n(), n2 = 2 * n;
        return new YPriorFusion(Sequential.under(sd.scope("y_prior_fusion"))
                .add(x -> DepthConvBlock4.load(x, n, n2)).add(x -> DepthConvBlock4.load(x, n2, n2)).build());
    }

    public Node forward(Graph g, Node entropyFeatures) {
        return fusion.forward(g, entropyFeatures);
    }
}
