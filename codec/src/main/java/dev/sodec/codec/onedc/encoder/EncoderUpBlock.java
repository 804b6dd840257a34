package dev.sodec.codec.onedc.encoder;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.SpatialAttention;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.Upsample2D;
import java.util.List;

/**
 * diffusers {@code AttnUpBlock2D} / {@code UpBlock2D} as UNet2DModel builds them: layers_per_block + 1 layers, each
 * concatenating the newest skip after the hidden state, a ResnetBlock2D and, in the attention form, an Attention;
 * then a nearest 2x + 3x3 {@code upsamplers.0} unless final.
 */
final class EncoderUpBlock {
    private final ResnetBlock2D[] resnets;
    private final SpatialAttention[] attentions;
    private final Upsample2D upsampler;

    private EncoderUpBlock(ResnetBlock2D[] resnets, SpatialAttention[] attentions, Upsample2D upsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.upsampler = upsampler;
    }

    /**
     * @param prev channels coming from below
     * @param skipIn channels of the last layer's skip (diffusers' in_channels)
     */
    static EncoderUpBlock load(StateDict sd, EncoderUNet.Sizes s, int prev, int out, int skipIn, boolean attention, boolean upsample) {
        int n = s.layersPerBlock() + 1;
        ResnetBlock2D[] r = new ResnetBlock2D[n];
        SpatialAttention[] a = new SpatialAttention[n];
        for (int j = 0; j < n; j++) {
            int skip = j == n - 1 ? skipIn : out, in = j == 0 ? prev : out;
            r[j] = ResnetBlock2D.load(sd.scope("resnets." + j), s.resnet(in + skip, out));
            if (attention) a[j] = SpatialAttention.load(sd.scope("attentions." + j), s.attention(out));
        }
        return new EncoderUpBlock(r, a, upsample ? Upsample2D.load(sd.scope("upsamplers.0"), out, out) : null);
    }

    Node forward(Graph g, Node h, Node temb, List<Node> skips) {
        for (int j = 0; j < resnets.length; j++) {
            h = g.concat(1, h, skips.remove(skips.size() - 1));
            h = resnets[j].forward(g, h, temb);
            if (attentions[j] != null) h = attentions[j].forward(g, h);
        }
        return upsampler == null ? h : upsampler.forward(g, h);
    }
}
