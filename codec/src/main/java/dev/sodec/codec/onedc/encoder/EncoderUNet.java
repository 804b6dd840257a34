package dev.sodec.codec.onedc.encoder;

import dev.sodec.codec.onedc.nn.ResnetBlock;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.SpatialAttention;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.TimestepEmbedding;
import dev.sodec.engine.nn.Timesteps;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OneDC's encoder UNet ({@code enc.unet}, encoder_unet.py prepare_unet_encoder / forward_enc): a diffusers 0.32
 * UNet2DModel(in 320, out ch[0], down (AttnDown, AttnDown, Down), up (AttnUp, AttnUp, Up), block_out_channels ch,
 * layers_per_block 2) with UNet2DModel's defaults (Timesteps(ch[0], flip_sin_to_cos, shift 0) into
 * time_embedding ch[0] -> 4 ch[0]; GroupNorm 32, eps 1e-5; attention heads of 8 features, their own GroupNorm and
 * residual; stride-2 conv downsampling; nearest + conv upsampling), run at the fixed timestep 999, whose
 * {@code conv_in} is replaced by {@code ResnetBlock(320, ch[0]), ResnetBlock(ch[0]) x2, conv 3x3 stride 2}. Returns
 * both the conv_out output (at /2 of the input) and the mid-block output ({@code sem}, at /8).
 */
public final class EncoderUNet {
    /** forward_enc's fixed timestep. */
    static final int TIMESTEP = 999;
    /** UNet2DModel defaults OneDC keeps. */
    static final int GROUPS = 32, HEAD_DIM = 8, LAYERS_PER_BLOCK = 2;
    static final float NORM_EPS = 1e-5f;
    /** Which down blocks have attention: (AttnDown, AttnDown, Down). */
    private static final boolean[] ATTENTION = {true, true, false};
    /** Which up blocks (deepest first) have attention: (AttnUp, AttnUp, Up). */
    private static final boolean[] UP_ATTENTION = {true, true, false};

    /** The sizes the blocks share. */
    record Sizes(int tembChannels, int layersPerBlock) {
        ResnetBlock2D.Spec resnet(int in, int out) {
            return new ResnetBlock2D.Spec(in, out, tembChannels, GROUPS, NORM_EPS, 1f);
        }

        SpatialAttention.Spec attention(int channels) {
            if (channels % HEAD_DIM != 0) throw new IllegalArgumentException("encoder UNet: " + channels + " channels do not split into heads of " + HEAD_DIM);
            return new SpatialAttention.Spec(channels, channels / HEAD_DIM, GROUPS, NORM_EPS, 1f);
        }
    }

    /** The output of one forward. */
    public record Output(Node y, Node sem) {}

    private final Sequential convIn;
    private final Tensor timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final EncoderDownBlock[] down;
    private final ResnetBlock2D mid0, mid1;
    private final SpatialAttention midAttention;
    private final EncoderUpBlock[] up;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    private EncoderUNet(Sequential convIn, Tensor timeProj, TimestepEmbedding timeEmbedding, EncoderDownBlock[] down,
                        ResnetBlock2D mid0, SpatialAttention midAttention, ResnetBlock2D mid1, EncoderUpBlock[] up,
                        GroupNorm convNormOut, Conv2d convOut) {
        this.convIn = convIn;
        this.timeProj = timeProj;
        this.timeEmbedding = timeEmbedding;
        this.down = down;
        this.mid0 = mid0;
        this.midAttention = midAttention;
        this.mid1 = mid1;
        this.up = up;
        this.convNormOut = convNormOut;
        this.convOut = convOut;
    }

    /**
     * @param in input channels (OneDC: 320, the pix_fusion output)
     * @param ch block_out_channels (unet_ch_config; three levels)
     */
    public static EncoderUNet load(StateDict sd, int in, int[] ch) {
        if (ch.length != ATTENTION.length) {
            throw new IllegalArgumentException("encoder UNet: unet_ch_config needs " + ATTENTION.length + " entries, got " + Arrays.toString(ch));
        }
        for (int c : ch) {
            if (c < 1 || c % GROUPS != 0) throw new IllegalArgumentException("encoder UNet: channels " + c + " do not split into " + GROUPS + " groups");
        }
        int c0 = ch[0], n = ch.length;
        Sizes s = new Sizes(4 * c0, LAYERS_PER_BLOCK);
        Sequential convIn = Sequential.under(sd.scope("conv_in"))
                .add(x -> ResnetBlock.load(x, in, c0)).add(x -> ResnetBlock.load(x, c0)).add(x -> ResnetBlock.load(x, c0))
                .add(x -> Conv2d.load(x, c0, c0, 3, Conv2dParams.of(2, 1), true)::forward).build();
        Tensor tProj = new Timesteps(c0, true, 0f).forward(Tensor.fromFloats(new float[] {TIMESTEP}, 1));
        TimestepEmbedding temb = TimestepEmbedding.load(sd.scope("time_embedding"), c0, s.tembChannels());
        EncoderDownBlock[] down = new EncoderDownBlock[n];
        int prev = c0;
        for (int i = 0; i < n; i++) {
            down[i] = EncoderDownBlock.load(sd.scope("down_blocks." + i), s, prev, ch[i], ATTENTION[i], i != n - 1);
            prev = ch[i];
        }
        StateDict mid = sd.scope("mid_block");
        int cm = ch[n - 1];
        ResnetBlock2D m0 = ResnetBlock2D.load(mid.scope("resnets.0"), s.resnet(cm, cm));
        SpatialAttention ma = SpatialAttention.load(mid.scope("attentions.0"), s.attention(cm));
        ResnetBlock2D m1 = ResnetBlock2D.load(mid.scope("resnets.1"), s.resnet(cm, cm));
        EncoderUpBlock[] up = new EncoderUpBlock[n];
        int out = ch[n - 1];
        for (int i = 0; i < n; i++) {
            int before = out;
            out = ch[n - 1 - i];
            int skipIn = ch[Math.max(n - 2 - i, 0)];
            up[i] = EncoderUpBlock.load(sd.scope("up_blocks." + i), s, before, out, skipIn, UP_ATTENTION[i], i != n - 1);
        }
        GroupNorm normOut = GroupNorm.load(sd.scope("conv_norm_out"), GROUPS, c0, NORM_EPS, true);
        Conv2d convOut = Conv2d.load(sd.scope("conv_out"), c0, c0, 3, Conv2dParams.of(1, 1), true);
        return new EncoderUNet(convIn, tProj, temb, down, m0, ma, m1, up, normOut, convOut);
    }

    /** x (1, in, H, W), H and W multiples of 8 -> y (1, ch[0], H/2, W/2) and sem (1, ch[2], H/8, W/8). */
    public Output forward(Graph g, Node x) {
        Node emb = timeEmbedding.forward(g, g.constant(timeProj));
        List<Node> skips = new ArrayList<>();
        Node h = convIn.forward(g, x);
        skips.add(h);
        for (EncoderDownBlock b : down) h = b.forward(g, h, emb, skips);
        h = mid1.forward(g, midAttention.forward(g, mid0.forward(g, h, emb)), emb);
        Node sem = h;
        for (EncoderUpBlock b : up) h = b.forward(g, h, emb, skips);
        if (!skips.isEmpty()) throw new IllegalStateException("encoder UNet: " + skips.size() + " skips left unused");
        return new Output(convOut.forward(g, convNormOut.forwardSilu(g, h)), sem);
    }
}
