package dev.sodec.codec.sodec.vae;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.SpatialAttention;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers UNetMidBlock2D of the VAE (no time embedding): resnets.0, attentions.0 (single head over all pixels,
 * own GroupNorm, residual inside), resnets.1. Without mid_block_add_attention only the two resnets run.
 */
final class VaeMidBlock {
    private final ResnetBlock2D resnet0, resnet1;
    private final SpatialAttention attention;

    private VaeMidBlock(ResnetBlock2D resnet0, SpatialAttention attention, ResnetBlock2D resnet1) {
        this.resnet0 = resnet0;
        this.attention = attention;
        this.resnet1 = resnet1;
    }

    static VaeMidBlock load(StateDict sd, VaeDecoderConfig c) {
        int ch = c.blockOutChannels()[c.levels() - 1];
        ResnetBlock2D.Spec rs = new ResnetBlock2D.Spec(ch, ch, 0, c.normNumGroups(), VaeDecoderConfig.NORM_EPS, 1f);
        SpatialAttention attn = c.midBlockAddAttention()
                ? SpatialAttention.load(sd.scope("attentions.0"),
                        new SpatialAttention.Spec(ch, 1, c.normNumGroups(), VaeDecoderConfig.NORM_EPS, 1f))
                : null;
        return new VaeMidBlock(ResnetBlock2D.load(sd.scope("resnets.0"), rs), attn, ResnetBlock2D.load(sd.scope("resnets.1"), rs));
    }

    Node forward(Graph g, Node h) {
        h = resnet0.forward(g, h, null);
        if (attention != null) h = attention.forward(g, h);
        return resnet1.forward(g, h, null);
    }
}
