package dev.sodec.codec.sodec.unet;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.Transformer2DModel;
import dev.sodec.engine.nn.Upsample2D;
import dev.sodec.engine.tensor.Tensor;
import java.util.List;

/**
 * diffusers CrossAttnUpBlock2D (with {@code attentions}) or UpBlock2D: layers_per_block + 1 resnets, each taking
 * concat([h, skip]) on channels with the newest skip, each followed by attentions.j when present, then
 * upsamplers.0 (nearest to the next skip's size, then conv) except on the last level.
 */
final class UNetUpBlock {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions;
    private final Upsample2D upsampler;

    private UNetUpBlock(ResnetBlock2D[] resnets, Transformer2DModel[] attentions, Upsample2D upsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.upsampler = upsampler;
    }

    /**
     * @param i up block index (0 = deepest); channels follow diffusers: out = reversed boc[i], prev = reversed
     *          boc[i-1] (or boc[0] reversed for i = 0), skip of the last resnet = reversed boc[min(i+1, n-1)]
     */
    static UNetUpBlock load(StateDict sd, UNetConfig c, int i) {
        int n = c.levels();
        int level = n - 1 - i;
        int[] boc = c.blockOutChannels();
        int out = boc[level], prev = boc[Math.min(level + 1, n - 1)], in = boc[Math.max(level - 1, 0)];
        boolean cross = c.upBlockTypes().get(i).equals(UNetConfig.CROSS_UP);
        int layers = c.layersPerBlock()[level] + 1;
        ResnetBlock2D[] resnets = new ResnetBlock2D[layers];
        Transformer2DModel[] attentions = cross ? new Transformer2DModel[layers] : null;
        for (int j = 0; j < layers; j++) {
            int skip = j == layers - 1 ? in : out;
            int resIn = j == 0 ? prev : out;
            resnets[j] = ResnetBlock2D.load(sd.scope("resnets." + j), UNet2DConditionModel.resnetSpec(c, resIn + skip, out, 1f));
            if (cross) attentions[j] = Transformer2DModel.load(sd.scope("attentions." + j), UNet2DConditionModel.transformerSpec(c, level, out));
        }
        Upsample2D up = i == n - 1 ? null : Upsample2D.load(sd.scope("upsamplers.0"), out, out);
        return new UNetUpBlock(resnets, attentions, up);
    }

    /** Consumes this block's skips from the end of {@code skips} (removing them so they can be freed). */
    Node forward(Graph g, Node h, Node temb, Node context, List<Node> skips) {
        for (int j = 0; j < resnets.length; j++) {
            Node skip = skips.removeLast();
            h = resnets[j].forward(g, g.concat(1, h, skip), temb);
            if (attentions != null) h = attentions[j].forward(g, h, context);
        }
        if (upsampler != null) {
            Node next = skips.getLast();
            h = upsampler.forward(g, h, next.dim(2), next.dim(3));
        }
        return h;
    }
}
