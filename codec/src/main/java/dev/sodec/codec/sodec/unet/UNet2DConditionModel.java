package dev.sodec.codec.sodec.unet;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.TimestepEmbedding;
import dev.sodec.engine.nn.Timesteps;
import dev.sodec.engine.nn.Transformer2DModel;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * diffusers UNet2DConditionModel as used by SD 1.x / 2.x (diffusers key names): eps = unet(sample, t, ctx).
 * time_proj (sinusoid, float32) -> time_embedding; conv_in; down_blocks.i; mid_block; up_blocks.i consuming the
 * skips in reverse order; conv_norm_out + SiLU; conv_out. upcast_attention only matters in half precision, so it is
 * accepted and ignored here (F32 throughout).
 */
public final class UNet2DConditionModel {
    /** LayerNorm eps inside the transformer blocks: diffusers' BasicTransformerBlock default, not the UNet's norm_eps. */
    private static final float TRANSFORMER_LAYER_NORM_EPS = 1e-5f;

    public final UNetConfig config;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Conv2d convIn;
    private final UNetDownBlock[] downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final UNetUpBlock[] upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    private UNet2DConditionModel(UNetConfig config, Timesteps timeProj, TimestepEmbedding timeEmbedding, Conv2d convIn,
                                 UNetDownBlock[] downBlocks, UNetMidBlock2DCrossAttn midBlock, UNetUpBlock[] upBlocks,
                                 GroupNorm convNormOut, Conv2d convOut) {
        this.config = config;
        this.timeProj = timeProj;
        this.timeEmbedding = timeEmbedding;
        this.convIn = convIn;
        this.downBlocks = downBlocks;
        this.midBlock = midBlock;
        this.upBlocks = upBlocks;
        this.convNormOut = convNormOut;
        this.convOut = convOut;
    }

    /** Builds the network from diffusers config JSON and weights scoped to the UNet (keys conv_in.*, ...). */
    public static UNet2DConditionModel load(StateDict sd, Config config) {
        return load(sd, UNetConfig.from(config));
    }

    public static UNet2DConditionModel load(StateDict sd, UNetConfig c) {
        int[] boc = c.blockOutChannels();
        int n = c.levels();
        Timesteps timeProj = new Timesteps(boc[0], c.flipSinToCos(), c.freqShift());
        TimestepEmbedding temb = TimestepEmbedding.load(sd.scope("time_embedding"), boc[0], c.timeEmbedDim());
        Conv2d convIn = Conv2d.load(sd.scope("conv_in"), c.inChannels(), boc[0], c.convInKernel(),
                Conv2dParams.of(1, (c.convInKernel() - 1) / 2));
        UNetDownBlock[] down = new UNetDownBlock[n];
        int ch = boc[0];
        for (int i = 0; i < n; i++) {
            down[i] = UNetDownBlock.load(sd.scope("down_blocks." + i), c, i, ch);
            ch = boc[i];
        }
        UNetMidBlock2DCrossAttn mid = UNetMidBlock2DCrossAttn.load(sd.scope("mid_block"), c);
        UNetUpBlock[] up = new UNetUpBlock[n];
        for (int i = 0; i < n; i++) up[i] = UNetUpBlock.load(sd.scope("up_blocks." + i), c, i);
        GroupNorm normOut = GroupNorm.load(sd.scope("conv_norm_out"), c.normNumGroups(), boc[0], c.normEps(), true);
        Conv2d convOut = Conv2d.load(sd.scope("conv_out"), boc[0], c.outChannels(), c.convOutKernel(),
                Conv2dParams.of(1, (c.convOutKernel() - 1) / 2));
        return new UNet2DConditionModel(c, timeProj, temb, convIn, down, mid, up, normOut, convOut);
    }

    static ResnetBlock2D.Spec resnetSpec(UNetConfig c, int in, int out, float outputScaleFactor) {
        return new ResnetBlock2D.Spec(in, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), outputScaleFactor);
    }

    static Transformer2DModel.Spec transformerSpec(UNetConfig c, int level, int channels) {
        int heads = c.heads()[level];
        return new Transformer2DModel.Spec(channels, heads, channels / heads, c.transformerLayersPerBlock()[level],
                c.crossAttentionDim()[level], c.normNumGroups(), c.useLinearProjection(), false, TRANSFORMER_LAYER_NORM_EPS);
    }

    /**
     * The noise prediction for one timestep shared by the batch (diffusers passes a python int; it becomes
     * float(t) in the sinusoid).
     *
     * @param sample (B, in_channels, H, W)
     * @param encoderHiddenStates (B, S, cross_attention_dim)
     * @return (B, out_channels, H, W)
     */
    public Node forward(Graph g, Node sample, float timestep, Node encoderHiddenStates) {
        checkInputs(sample, encoderHiddenStates);
        if (!Float.isFinite(timestep)) throw new IllegalArgumentException("UNet: timestep " + timestep + " is not finite");
        float[] t = new float[sample.dim(0)];
        Arrays.fill(t, timestep);
        // the sinusoid depends only on the timestep, fixed per graph: computed here and held as a constant
        Node emb = timeEmbedding.forward(g, g.constant(timeProj.forward(Tensor.fromFloats(t, t.length))));

        List<Node> skips = new ArrayList<>();
        Node h = convIn.forward(g, sample);
        skips.add(h);
        for (UNetDownBlock b : downBlocks) h = b.forward(g, h, emb, encoderHiddenStates, skips);
        h = midBlock.forward(g, h, emb, encoderHiddenStates);
        for (UNetUpBlock b : upBlocks) h = b.forward(g, h, emb, encoderHiddenStates, skips);
        if (!skips.isEmpty()) throw new IllegalStateException("UNet: " + skips.size() + " skip connections left unused");
        return convOut.forward(g, convNormOut.forwardSilu(g, h));
    }

    private void checkInputs(Node sample, Node ctx) {
        int[] s = sample.shape();
        if (s.length != 4 || s[1] != config.inChannels() || s[0] < 1 || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException("UNet: sample must be (B, " + config.inChannels() + ", H, W), got " + Arrays.toString(s));
        }
        int[] e = ctx.shape();
        if (e.length != 3 || e[0] != s[0] || e[1] < 1) {
            throw new IllegalArgumentException("UNet: encoder_hidden_states must be (" + s[0] + ", S, D), got " + Arrays.toString(e));
        }
        for (int i = 0; i < config.levels(); i++) {
            boolean usesContext = config.downBlockTypes().get(i).equals(UNetConfig.CROSS_DOWN)
                    || config.upBlockTypes().get(config.levels() - 1 - i).equals(UNetConfig.CROSS_UP) || i == config.levels() - 1;
            if (usesContext && e[2] != config.crossAttentionDim()[i]) {
                throw new IllegalArgumentException("UNet: encoder_hidden_states width " + e[2] + " != cross_attention_dim "
                        + config.crossAttentionDim()[i] + " of level " + i);
            }
        }
    }
}
