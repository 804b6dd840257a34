package dev.sodec.codec.onedc.nn;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * DCVC {@code ResidualBlockUpsample(in, out, 2)} (OneDC modules/dcvc.py): two sub-pixel branches,
 * {@code y = LReLU 0.1(conv(LReLU 0.01(PS2(subpel_conv.0(x))))) + PS2(upsample.0(x))}; subpel_conv.0 and
 * upsample.0 are 1x1 in->4 out, conv 3x3 out->out, PS2 torch's PixelShuffle(2). All with bias.
 */
public final class ResidualBlockUpsample implements Block {
    private static final int FACTOR = 2;

    private final Conv2d subpel, conv, upsample;

    private ResidualBlockUpsample(Conv2d subpel, Conv2d conv, Conv2d upsample) {
        this.subpel = subpel;
        this.conv = conv;
        this.upsample = upsample;
    }

    public static ResidualBlockUpsample load(StateDict sd, int in, int out) {
        Conv2dParams one = Conv2dParams.of(1, 0);
        int up = FACTOR * FACTOR * out;
        return new ResidualBlockUpsample(Conv2d.load(sd.scope("subpel_conv.0"), in, up, 1, one, true),
                Conv2d.load(sd.scope("conv"), out, out, 3, Conv2dParams.of(1, 1), true),
                Conv2d.load(sd.scope("upsample.0"), in, up, 1, one, true));
    }

    @Override
    public Node forward(Graph g, Node x) {
        Node t = g.leakyRelu(g.pixelShuffle(subpel.forward(g, x), FACTOR), 0.01f);
        t = g.leakyRelu(conv.forward(g, t), 0.1f);
        return g.add(t, g.pixelShuffle(upsample.forward(g, x), FACTOR));
    }
}
