package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.ResidualBlockUpsample;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's {@code hyper_dec} (codec_module.py HyperDecoder): {@code feat_in} = 1x1 z channels -> N and LeakyReLU
 * 0.01, whose output is z_semantic; {@code to_entropy} = DCB4, RBU (x2), DCB4, RBU (x2), DCB4, all N, the entropy
 * features at /16.
 */
public final class HyperDecoder {
    private final Conv2d featIn;
    private final Sequential toEntropy;

    private HyperDecoder(Conv2d featIn, Sequential toEntropy) {
        this.featIn = featIn;
        this.toEntropy = toEntropy;
    }

    public static HyperDecoder load(StateDict sd, IntraNoArConfig c) {
        int n = c.n();
        Conv2d in = Conv2d.load(sd.scope("feat_in.0"), c.zCh(), n, 1, Conv2dParams.of(1, 0), true);
        Sequential te = Sequential.under(sd.scope("to_entropy"))
                .add(x -> DepthConvBlock4.load(x, n, n)).add(x -> ResidualBlockUpsample.load(x, n, n))
                .add(x -> DepthConvBlock4.load(x, n, n)).add(x -> ResidualBlockUpsample.load(x, n, n))
                .add(x -> DepthConvBlock4.load(x, n, n)).build();
        return new HyperDecoder(in, te);
    }

    /** z_semantic = LReLU(feat_in(z_hat)): (1, N, h, w). */
    public Node semantic(Graph g, Node zHat) {
        return g.leakyRelu(featIn.forward(g, zHat), 0.01f);
    }

    /** The entropy features (1, N, 4h, 4w) from z_semantic. */
    public Node entropy(Graph g, Node zSemantic) {
        return toEntropy.forward(g, zSemantic);
    }
}
