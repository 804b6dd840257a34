package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.nn.AttnBlock;
import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's {@code hyper_enc} (codec_module.py HyperEncoder): {@code y_trans_coding} = DCB4 N, conv 3x3/s2, DCB4 N,
 * conv 3x3/s2 (y to /64), then {@code fusion} on cat(that, sem) = DCB4 N+S -> S, AttnBlock S, DCB4 S -> internal,
 * AttnBlock internal, DCB4 internal, 1x1 internal -> z channels (the FSQ dims).
 */
public final class HyperEncoder {
    private final Sequential yTransCoding, fusion;

    private HyperEncoder(Sequential yTransCoding, Sequential fusion) {
        this.yTransCoding = yTransCoding;
        this.fusion = fusion;
    }

    public static HyperEncoder load(StateDict sd, IntraNoArConfig c) {
        int n = c.n(), s = c.semanticCh(), in = c.internalCh();
        Conv2dParams down = Conv2dParams.of(2, 1);
        Sequential y = Sequential.under(sd.scope("y_trans_coding"))
                .add(x -> DepthConvBlock4.load(x, n, n)).add(x -> Conv2d.load(x, n, n, 3, down, true)::forward)
                .add(x -> DepthConvBlock4.load(x, n, n)).add(x -> Conv2d.load(x, n, n, 3, down, true)::forward).build();
        Sequential f = Sequential.under(sd.scope("fusion"))
                .add(x -> DepthConvBlock4.load(x, n + s, s)).add(x -> AttnBlock.load(x, s))
                .add(x -> DepthConvBlock4.load(x, s, in)).add(x -> AttnBlock.load(x, in))
                .add(x -> DepthConvBlock4.load(x, in, in)).add(x -> Conv2d.load(x, in, c.zCh(), 1, Conv2dParams.of(1, 0), true)::forward).build();
        return new HyperEncoder(y, f);
    }

    /** y (1, N, H, W), sem (1, S, H/4, W/4) -> z (1, z channels, H/4, W/4). */
    public Node forward(Graph g, Node y, Node sem) {
        return fusion.forward(g, g.concat(1, yTransCoding.forward(g, y), sem));
    }
}
