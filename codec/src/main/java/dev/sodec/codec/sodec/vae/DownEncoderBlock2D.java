package dev.sodec.codec.sodec.vae;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * diffusers DownEncoderBlock2D of the VAE encoder: layers_per_block resnets (no time embedding), then
 * {@code downsamplers.0} unless final: Downsample2D with padding 0, i.e. a zero row and column appended at the
 * bottom and right (F.pad (0, 1, 0, 1)) and a 3x3 stride-2 convolution without padding.
 */
final class DownEncoderBlock2D {
    private final ResnetBlock2D[] resnets;
    private final Conv2d downsample;
    /** Zero rows/columns for the asymmetric pad, per shape (constants of the graph). */
    private final Map<String, Tensor> zeros = new ConcurrentHashMap<>();

    private DownEncoderBlock2D(ResnetBlock2D[] resnets, Conv2d downsample) {
        this.resnets = resnets;
        this.downsample = downsample;
    }

    static DownEncoderBlock2D load(StateDict sd, VaeDecoderConfig c, int in, int out, boolean addDownsample) {
        ResnetBlock2D[] r = new ResnetBlock2D[c.layersPerBlock()];
        for (int j = 0; j < r.length; j++) {
            r[j] = ResnetBlock2D.load(sd.scope("resnets." + j), new ResnetBlock2D.Spec(j == 0 ? in : out, out, 0,
                    c.normNumGroups(), VaeDecoderConfig.NORM_EPS, 1f));
        }
        Conv2d down = addDownsample ? Conv2d.load(sd.scope("downsamplers.0.conv"), out, out, 3, Conv2dParams.of(2, 0)) : null;
        return new DownEncoderBlock2D(r, down);
    }

    Node forward(Graph g, Node h) {
        for (ResnetBlock2D r : resnets) h = r.forward(g, h, null);
        if (downsample == null) return h;
        int b = h.dim(0), c = h.dim(1), height = h.dim(2), width = h.dim(3);
        h = g.concat(2, h, g.constant(zeros(b, c, 1, width)));
        h = g.concat(3, h, g.constant(zeros(b, c, height + 1, 1)));
        return downsample.forward(g, h);
    }

    private Tensor zeros(int... shape) {
        return zeros.computeIfAbsent(Arrays.toString(shape), k -> Tensor.zeros(shape));
    }
}
