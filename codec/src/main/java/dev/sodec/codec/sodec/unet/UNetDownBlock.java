package dev.sodec.codec.sodec.unet;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Downsample2D;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.Transformer2DModel;
import dev.sodec.engine.tensor.Tensor;
import java.util.List;

/**
 * diffusers CrossAttnDownBlock2D (with {@code attentions}) or DownBlock2D (without): resnets.j, each followed by
 * attentions.j when present, then downsamplers.0 except on the last level. Every resnet (and the downsampler)
 * output is a skip for the up path.
 */
final class UNetDownBlock {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions;
    private final Downsample2D downsampler;

    private UNetDownBlock(ResnetBlock2D[] resnets, Transformer2DModel[] attentions, Downsample2D downsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.downsampler = downsampler;
    }

    static UNetDownBlock load(StateDict sd, UNetConfig c, int level, int inChannels) {
        int out = c.blockOutChannels()[level];
        boolean cross = c.downBlockTypes().get(level).equals(UNetConfig.CROSS_DOWN);
        int n = c.layersPerBlock()[level];
        ResnetBlock2D[] resnets = new ResnetBlock2D[n];
        Transformer2DModel[] attentions = cross ? new Transformer2DModel[n] : null;
        for (int j = 0; j < n; j++) {
            resnets[j] = ResnetBlock2D.load(sd.scope("resnets." + j),
                    UNet2DConditionModel.resnetSpec(c, j == 0 ? inChannels : out, out, 1f));
            if (cross) attentions[j] = Transformer2DModel.load(sd.scope("attentions." + j), UNet2DConditionModel.transformerSpec(c, level, out));
        }
        boolean last = level == c.levels() - 1;
        Downsample2D down = last ? null : Downsample2D.load(sd.scope("downsamplers.0"), out, out, c.downsamplePadding());
        return new UNetDownBlock(resnets, attentions, down);
    }

    /** Runs the block on h, appending each skip to {@code skips}; returns the block output. */
    Node forward(Graph g, Node h, Node temb, Node context, List<Node> skips) {
        for (int j = 0; j < resnets.length; j++) {
            h = resnets[j].forward(g, h, temb);
            if (attentions != null) h = attentions[j].forward(g, h, context);
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(g, h);
            skips.add(h);
        }
        return h;
    }

    int skipCount() {
        return resnets.length + (downsampler != null ? 1 : 0);
    }
}
