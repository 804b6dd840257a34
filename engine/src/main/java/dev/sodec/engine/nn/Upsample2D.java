package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers Upsample2D with use_conv=True: nearest upsampling (2x, or to an explicit size such as the UNet skip's
 * when the input was not a multiple of the total down factor), then a 3x3 convolution, key {@code conv}.
 */
public final class Upsample2D {
    public final Conv2d conv;

    private Upsample2D(Conv2d conv) {
        this.conv = conv;
    }

    public static Upsample2D load(StateDict sd, int channels, int outChannels) {
        return new Upsample2D(Conv2d.load(sd.scope("conv"), channels, outChannels, 3, Conv2dParams.of(1, 1)));
    }

    /** (B, C, H, W) -> (B, out, 2H, 2W). */
    public Node forward(Graph g, Node x) {
        return forward(g, x, 2 * x.dim(2), 2 * x.dim(3));
    }

    /** (B, C, H, W) -> (B, out, outH, outW) with torch's nearest index rule. */
    public Node forward(Graph g, Node x, int outH, int outW) {
        return conv.forward(g, g.upsampleNearest(x, outH, outW));
    }
}
