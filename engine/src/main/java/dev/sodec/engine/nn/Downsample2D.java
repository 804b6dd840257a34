package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers Downsample2D with use_conv=True: a 3x3 convolution with stride 2, key {@code conv}. Only padding 1 (the
 * UNet's downsample_padding) is supported: diffusers' padding 0 means an asymmetric (0, 1, 0, 1) pad, which only the
 * VAE encoder uses.
 */
public final class Downsample2D {
    public final Conv2d conv;

    private Downsample2D(Conv2d conv) {
        this.conv = conv;
    }

    public static Downsample2D load(StateDict sd, int channels, int outChannels, int padding) {
        if (padding != 1) throw new IllegalArgumentException(sd.prefix() + ": Downsample2D padding " + padding + " is not supported (only 1)");
        return new Downsample2D(Conv2d.load(sd.scope("conv"), channels, outChannels, 3, Conv2dParams.of(2, 1)));
    }

    /** (B, C, H, W) -> (B, out, ceil(H/2), ceil(W/2)). */
    public Node forward(Graph g, Node x) {
        return conv.forward(g, x);
    }
}
