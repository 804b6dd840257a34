package dev.sodec.codec.onedc.nn;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * DCVC {@code DepthConvBlock4(in, out)} (OneDC modules/dcvc.py): a DepthConv then a ConvFFN3, both residual.
 * <pre>
 * block.0 (DepthConv): t = conv2(depth_conv(LReLU 0.01(conv1.0(x))));  h = t + (adaptor(x) if in != out else x)
 *   conv1.0 1x1 in->in, depth_conv 3x3 groups=in pad 1, conv2 1x1 in->out, adaptor 1x1 in->out
 * block.1 (ConvFFN3):  a, b = conv(h).chunk(2);  y = h + conv_out(LReLU 0.1(a) + LReLU 0.01(b))
 *   conv 1x1 out->4 out, conv_out 1x1 2 out->out
 * </pre>
 * Every convolution has a bias.
 */
public final class DepthConvBlock4 implements Block {
    static final float SLOPE_DEPTH = 0.01f, SLOPE_A = 0.1f, SLOPE_B = 0.01f;
    private static final Conv2dParams ONE = Conv2dParams.of(1, 0);

    private final int out;
    private final Conv2d conv1, depthConv, conv2, adaptor, ffnIn, ffnOut;

    private DepthConvBlock4(int out, Conv2d conv1, Conv2d depthConv, Conv2d conv2, Conv2d adaptor, Conv2d ffnIn, Conv2d ffnOut) {
        this.out = out;
        this.conv1 = conv1;
        this.depthConv = depthConv;
        this.conv2 = conv2;
        this.adaptor = adaptor;
        this.ffnIn = ffnIn;
        this.ffnOut = ffnOut;
    }

    public static DepthConvBlock4 load(StateDict sd, int in, int out) {
        StateDict dc = sd.scope("block.0"), ffn = sd.scope("block.1");
        return new DepthConvBlock4(out,
                Conv2d.load(dc.scope("conv1.0"), in, in, 1, ONE, true),
                Conv2d.load(dc.scope("depth_conv"), in, in, 3, Conv2dParams.of(1, 1, 1, in), true),
                Conv2d.load(dc.scope("conv2"), in, out, 1, ONE, true),
                in != out ? Conv2d.load(dc.scope("adaptor"), in, out, 1, ONE, true) : null,
                Conv2d.load(ffn.scope("conv"), out, 4 * out, 1, ONE, true),
                Conv2d.load(ffn.scope("conv_out"), 2 * out, out, 1, ONE, true));
    }

    @Override
    public Node forward(Graph g, Node x) {
        Node t = conv2.forward(g, depthConv.forward(g, g.leakyRelu(conv1.forward(g, x), SLOPE_DEPTH)));
        Node h = g.add(t, adaptor == null ? x : adaptor.forward(g, x));
        Node ab = ffnIn.forward(g, h);
        Node a = g.leakyRelu(ab.slice(1, 0, 2 * out), SLOPE_A), b = g.leakyRelu(ab.slice(1, 2 * out, 4 * out), SLOPE_B);
        return g.add(h, ffnOut.forward(g, g.add(a, b)));
    }
}
