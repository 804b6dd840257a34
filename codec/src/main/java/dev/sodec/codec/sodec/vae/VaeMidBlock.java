package dev.sodec.codec.sodec.vae;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.SpatialAttention;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers UNetMidBlock2D of the VAE (no time embedding): resnets.0, attentions.0 (single head over all pixels,
 * own GroupNorm, residual inside), resnets.1. Without mid_block_add_attention only the two resnets run.
 */
final class VaeMidBlock {
    private final ResnetBlock2D resnet0, resnet1;
    private final SpatialAttention attention;
    private final int attnPatch;

    private VaeMidBlock(ResnetBlock2D resnet0, SpatialAttention attention, ResnetBlock2D resnet1, int attnPatch) {
        this.resnet0 = resnet0;
        this.attention = attention;
        this.resnet1 = resnet1;
        this.attnPatch = attnPatch;
    }

    static VaeMidBlock load(StateDict sd, VaeDecoderConfig c) {
        return load(sd, c.blockOutChannels()[c.levels() - 1], c.normNumGroups(), c.midBlockAddAttention(), c.attnPatch());
    }

    /** The encoder's and the decoder's mid block: {@code ch} channels; attnPatch 0 attends over the whole map. */
    static VaeMidBlock load(StateDict sd, int ch, int groups, boolean addAttention, int attnPatch) {
        ResnetBlock2D.Spec rs = new ResnetBlock2D.Spec(ch, ch, 0, groups, VaeDecoderConfig.NORM_EPS, 1f);
        SpatialAttention attn = addAttention
                ? SpatialAttention.load(sd.scope("attentions.0"), new SpatialAttention.Spec(ch, 1, groups, VaeDecoderConfig.NORM_EPS, 1f))
                : null;
        return new VaeMidBlock(ResnetBlock2D.load(sd.scope("resnets.0"), rs), attn, ResnetBlock2D.load(sd.scope("resnets.1"), rs), attnPatch);
    }

    Node forward(Graph g, Node h) {
        h = resnet0.forward(g, h, null);
        if (attention != null) h = attnPatch > 0 ? windowed(g, h) : attention.forward(g, h);
        return resnet1.forward(g, h, null);
    }

    /**
     * OneDC's windowed_attn (eval path): the attention, GroupNorm included, on each non-overlapping attnPatch x
     * attnPatch window in raster order, edge windows partial; the windows are cut out as slices and put back with
     * concatenations.
     */
    private Node windowed(Graph g, Node h) {
        int height = h.dim(2), width = h.dim(3);
        if (height <= attnPatch && width <= attnPatch) return attention.forward(g, h);
        List<Node> rows = new ArrayList<>();
        for (int i = 0; i < height; i += attnPatch) {
            Node band = h.slice(2, i, Math.min(i + attnPatch, height));
            List<Node> cols = new ArrayList<>();
            for (int j = 0; j < width; j += attnPatch) cols.add(attention.forward(g, band.slice(3, j, Math.min(j + attnPatch, width))));
            rows.add(g.concat(3, cols.toArray(new Node[0])));
        }
        return g.concat(2, rows.toArray(new Node[0]));
    }
}
