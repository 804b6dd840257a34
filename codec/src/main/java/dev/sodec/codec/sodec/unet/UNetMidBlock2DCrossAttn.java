package dev.sodec.codec.sodec.unet;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.Transformer2DModel;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers UNetMidBlock2DCrossAttn with one attention layer: resnets.0, then attentions.0 and resnets.1. The
 * resnets divide by mid_block_scale_factor.
 */
final class UNetMidBlock2DCrossAttn {
    private final ResnetBlock2D resnet0, resnet1;
    private final Transformer2DModel attention;

    private UNetMidBlock2DCrossAttn(ResnetBlock2D resnet0, Transformer2DModel attention, ResnetBlock2D resnet1) {
        this.resnet0 = resnet0;
        this.attention = attention;
        this.resnet1 = resnet1;
    }

    static UNetMidBlock2DCrossAttn load(StateDict sd, UNetConfig c) {
        int last = c.levels() - 1, ch = c.blockOutChannels()[last];
        ResnetBlock2D.Spec rs = UNet2DConditionModel.resnetSpec(c, ch, ch, c.midBlockScaleFactor());
        return new UNetMidBlock2DCrossAttn(
                ResnetBlock2D.load(sd.scope("resnets.0"), rs),
                Transformer2DModel.load(sd.scope("attentions.0"), UNet2DConditionModel.transformerSpec(c, last, ch)),
                ResnetBlock2D.load(sd.scope("resnets.1"), rs));
    }

    Node forward(Graph g, Node h, Node temb, Node context) {
        h = resnet0.forward(g, h, temb);
        h = attention.forward(g, h, context);
        return resnet1.forward(g, h, temb);
    }
}
