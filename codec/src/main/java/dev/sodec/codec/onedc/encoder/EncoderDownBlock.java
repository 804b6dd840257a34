package dev.sodec.codec.onedc.encoder;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Downsample2D;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.SpatialAttention;
import dev.sodec.engine.nn.StateDict;
import java.util.List;

/**
 * diffusers {@code AttnDownBlock2D} (with attentions) or {@code DownBlock2D} (without) as UNet2DModel builds them:
 * per layer a ResnetBlock2D (time embedding) then, in the attention form, an Attention with its own GroupNorm and
 * residual; every layer's output is a skip; a 3x3 stride-2 {@code downsamplers.0} (padding 1) unless final, whose
 * output is one more skip.
 */
final class EncoderDownBlock {
    private final ResnetBlock2D[] resnets;
    private final SpatialAttention[] attentions; // null entries: DownBlock2D
    private final Downsample2D downsampler;

    private EncoderDownBlock(ResnetBlock2D[] resnets, SpatialAttention[] attentions, Downsample2D downsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.downsampler = downsampler;
    }

    static EncoderDownBlock load(StateDict sd, EncoderUNet.Sizes s, int in, int out, boolean attention, boolean downsample) {
        ResnetBlock2D[] r = new ResnetBlock2D[s.layersPerBlock()];
        SpatialAttention[] a = new SpatialAttention[r.length];
        for (int j = 0; j < r.length; j++) {
            r[j] = ResnetBlock2D.load(sd.scope("resnets." + j), s.resnet(j == 0 ? in : out, out));
            if (attention) a[j] = SpatialAttention.load(sd.scope("attentions." + j), s.attention(out));
        }
        return new EncoderDownBlock(r, a, downsample ? Downsample2D.load(sd.scope("downsamplers.0"), out, out, 1) : null);
    }

    Node forward(Graph g, Node h, Node temb, List<Node> skips) {
        for (int j = 0; j < resnets.length; j++) {
            h = resnets[j].forward(g, h, temb);
            if (attentions[j] != null) h = attentions[j].forward(g, h);
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(g, h);
            skips.add(h);
        }
        return h;
    }
}
