package dev.sodec.codec.sodec.vae;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.Upsample2D;
import dev.sodec.engine.tensor.Tensor;

/** diffusers UpDecoderBlock2D: layers_per_block + 1 resnets (no time embedding), then upsamplers.0 (nearest 2x + conv) if present. */
final class UpDecoderBlock2D {
    private final ResnetBlock2D[] resnets;
    private final Upsample2D upsampler;

    private UpDecoderBlock2D(ResnetBlock2D[] resnets, Upsample2D upsampler) {
        this.resnets = resnets;
        this.upsampler = upsampler;
    }

    static UpDecoderBlock2D load(StateDict sd, VaeDecoderConfig c, int in, int out, boolean addUpsample) {
        ResnetBlock2D[] resnets = new ResnetBlock2D[c.layersPerBlock() + 1];
        for (int j = 0; j < resnets.length; j++) {
            resnets[j] = ResnetBlock2D.load(sd.scope("resnets." + j), new ResnetBlock2D.Spec(j == 0 ? in : out, out, 0,
                    c.normNumGroups(), VaeDecoderConfig.NORM_EPS, 1f));
        }
        return new UpDecoderBlock2D(resnets, addUpsample ? Upsample2D.load(sd.scope("upsamplers.0"), out, out) : null);
    }

    Node forward(Graph g, Node h) {
        for (ResnetBlock2D r : resnets) h = r.forward(g, h, null);
        return upsampler == null ? h : upsampler.forward(g, h);
    }
}
