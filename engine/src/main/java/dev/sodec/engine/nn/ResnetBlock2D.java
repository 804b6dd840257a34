package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers ResnetBlock2D (time_embedding_norm "default", SiLU, no up/down sampling):
 * h = conv1(silu(norm1(x))); h += time_emb_proj(silu(temb)) per channel; h = conv2(silu(norm2(h)));
 * y = (conv_shortcut(x) or x + h) / output_scale_factor. Dropout is the identity at inference.
 */
public final class ResnetBlock2D {
    /**
     * @param tembChannels 0 when the block takes no time embedding (VAE)
     * @param useInShortcut whether conv_shortcut (1x1) exists; diffusers defaults it to in != out
     */
    public record Spec(int inChannels, int outChannels, int tembChannels, int groups, int groupsOut, float eps,
                       float outputScaleFactor, boolean useInShortcut, boolean convShortcutBias) {
        public Spec {
            if (inChannels < 1 || outChannels < 1 || tembChannels < 0 || groups < 1 || groupsOut < 1 || !(outputScaleFactor > 0)) {
                throw new IllegalArgumentException("invalid ResnetBlock2D sizes " + this);
            }
        }

        public Spec(int inChannels, int outChannels, int tembChannels, int groups, float eps, float outputScaleFactor) {
            this(inChannels, outChannels, tembChannels, groups, groups, eps, outputScaleFactor, inChannels != outChannels, true);
        }

        /** From diffusers ResnetBlock2D kwargs; unsupported options (scale_shift, up/down, conv 3x3 shortcut) are errors. */
        public static Spec fromDiffusers(Config c) {
            int in = c.getInt("in_channels");
            int out = c.getInt("out_channels", in);
            String norm = c.getString("time_embedding_norm", "default");
            if (!norm.equals("default")) throw new IllegalArgumentException("ResnetBlock2D: time_embedding_norm '" + norm + "' is not supported");
            String act = c.getString("non_linearity", "swish");
            if (!act.equals("silu") && !act.equals("swish")) throw new IllegalArgumentException("ResnetBlock2D: non_linearity '" + act + "' is not supported");
            if (c.getBool("up", false) || c.getBool("down", false)) throw new IllegalArgumentException("ResnetBlock2D: up/down are not supported");
            if (c.getBool("conv_shortcut", false)) throw new IllegalArgumentException("ResnetBlock2D: conv_shortcut=True (3x3) is not supported");
            if (c.has("conv_2d_out_channels")) throw new IllegalArgumentException("ResnetBlock2D: conv_2d_out_channels is not supported");
            int groups = c.getInt("groups", 32);
            boolean shortcut = c.has("use_in_shortcut") ? c.getBool("use_in_shortcut") : in != out;
            return new Spec(in, out, c.getInt("temb_channels", 512), groups, c.getInt("groups_out", groups),
                    (float) c.getDouble("eps", 1e-6), (float) c.getDouble("output_scale_factor", 1.0), shortcut,
                    c.getBool("conv_shortcut_bias", true));
        }
    }

    public final Spec spec;
    public final GroupNorm norm1, norm2;
    public final Conv2d conv1, conv2, convShortcut;
    public final Linear timeEmbProj;

    private ResnetBlock2D(Spec spec, GroupNorm norm1, Conv2d conv1, Linear timeEmbProj, GroupNorm norm2, Conv2d conv2,
                          Conv2d convShortcut) {
        this.spec = spec;
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.timeEmbProj = timeEmbProj;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.convShortcut = convShortcut;
    }

    public static ResnetBlock2D load(StateDict sd, Spec s) {
        Conv2dParams same3 = Conv2dParams.of(1, 1);
        GroupNorm norm1 = GroupNorm.load(sd.scope("norm1"), s.groups(), s.inChannels(), s.eps(), true);
        Conv2d conv1 = Conv2d.load(sd.scope("conv1"), s.inChannels(), s.outChannels(), 3, same3);
        Linear temb = s.tembChannels() > 0 ? Linear.load(sd.scope("time_emb_proj"), s.tembChannels(), s.outChannels(), true) : null;
        GroupNorm norm2 = GroupNorm.load(sd.scope("norm2"), s.groupsOut(), s.outChannels(), s.eps(), true);
        Conv2d conv2 = Conv2d.load(sd.scope("conv2"), s.outChannels(), s.outChannels(), 3, same3);
        Conv2d shortcut = null;
        if (s.useInShortcut()) {
            StateDict sc = sd.scope("conv_shortcut");
            Tensor w = sc.take("weight", s.outChannels(), s.inChannels(), 1, 1);
            shortcut = new Conv2d(w, s.convShortcutBias() ? sc.take("bias", s.outChannels()) : null, Conv2dParams.of(1, 0));
        }
        return new ResnetBlock2D(s, norm1, conv1, temb, norm2, conv2, shortcut);
    }

    /** x (B, in, H, W), temb (B, temb_channels) or null -> (B, out, H, W). */
    public Node forward(Graph g, Node x, Node temb) {
        Node h = conv1.forward(g, norm1.forwardSilu(g, x));
        if (temb != null) {
            if (timeEmbProj == null) throw new IllegalArgumentException("ResnetBlock2D without time_emb_proj was given a time embedding");
            h = g.addPerChannel(h, timeEmbProj.forward(g, g.silu(temb)));
        }
        h = conv2.forward(g, norm2.forwardSilu(g, h));
        Node shortcut = convShortcut != null ? convShortcut.forward(g, x) : x;
        Node y = g.add(shortcut, h);
        return spec.outputScaleFactor() == 1f ? y : g.scale(y, 1f / spec.outputScaleFactor(), 0f);
    }
}
