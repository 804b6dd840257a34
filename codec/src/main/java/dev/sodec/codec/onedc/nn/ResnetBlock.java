package dev.sodec.codec.onedc.nn;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.StateDict;

/**
 * VQGAN {@code ResnetBlock(in, out)} as OneDC has it (modules/vqgan/blocks.py, also encoder_unet.py):
 * {@code h = conv2(SiLU(norm2(conv1(SiLU(norm1(x))))))}, GroupNorm(32, eps 1e-6), 3x3 convolutions without bias.
 * The residual is {@code x} when in == out; otherwise, a quirk of the reference, {@code nin_shortcut} (1x1, out->out,
 * no bias) applied to the block's OUTPUT: {@code y = h + nin_shortcut(h)}.
 */
public final class ResnetBlock implements Block {
    static final int GROUPS = 32;
    static final float EPS = 1e-6f;

    private final GroupNorm norm1, norm2;
    private final Conv2d conv1, conv2, ninShortcut;

    private ResnetBlock(GroupNorm norm1, Conv2d conv1, GroupNorm norm2, Conv2d conv2, Conv2d ninShortcut) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.ninShortcut = ninShortcut;
    }

    public static ResnetBlock load(StateDict sd, int in, int out) {
        Conv2dParams same = Conv2dParams.of(1, 1);
        return new ResnetBlock(GroupNorm.load(sd.scope("norm1"), GROUPS, in, EPS, true),
                Conv2d.load(sd.scope("conv1"), in, out, 3, same, false),
                GroupNorm.load(sd.scope("norm2"), GROUPS, out, EPS, true),
                Conv2d.load(sd.scope("conv2"), out, out, 3, same, false),
                in != out ? Conv2d.load(sd.scope("nin_shortcut"), out, out, 1, Conv2dParams.of(1, 0), false) : null);
    }

    /** A block whose input and output widths are equal. */
    public static ResnetBlock load(StateDict sd, int channels) {
        return load(sd, channels, channels);
    }

    @Override
    public Node forward(Graph g, Node x) {
        Node h = conv1.forward(g, norm1.forwardSilu(g, x));
        h = conv2.forward(g, norm2.forwardSilu(g, h));
        return g.add(h, ninShortcut == null ? x : ninShortcut.forward(g, h));
    }
}
