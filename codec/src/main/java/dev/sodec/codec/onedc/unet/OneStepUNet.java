package dev.sodec.codec.onedc.unet;

import dev.sodec.codec.sodec.NoiseSchedule;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.unet.UNetConfig;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's one-step generator (decoder_unet.py prepare_unet_for_codec / forward_unet, model decode): the SD 1.5
 * UNet2DConditionModel (LoRA merged into its weights) whose {@code conv_in} takes the codec's ctrl channels, plus
 * the {@link VaeReduction} head. From the codec decoder's x_hat and the semantic context tokens, at t = 999:
 * eps = UNet(x_hat) (its conv_in applied to x_hat), x_t = vae_reduction(x_hat), and the clean latent
 * x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar) (epsilon prediction).
 *
 * <p>x0: the reference computes it in float64 from float32 x_t, eps and abar and rounds the result to float32. Here
 * x0 = x_t * a + eps * b with a = 1 / sqrt(abar) and b = -sqrt(1 - abar) / sqrt(abar) computed in double and
 * rounded once: a, b, each product and the sum are rounded once, so x0 is within 2.5 float32 ulps of
 * |x_t a| + |eps b| of the float64 result, far inside the golden tolerance, and needs no float64 op on any backend.
 */
public final class OneStepUNet {
    public final UNetConfig config;
    private final UNet2DConditionModel unet;
    private final VaeReduction reduction;
    private final float timestep;
    private final float a, b;

    private OneStepUNet(UNetConfig config, UNet2DConditionModel unet, VaeReduction reduction, int timestep, float alphaBar) {
        this.config = config;
        this.unet = unet;
        this.reduction = reduction;
        this.timestep = timestep;
        double c0 = Math.sqrt(alphaBar), c1 = Math.sqrt(1.0 - alphaBar);
        this.a = (float) (1.0 / c0);
        this.b = (float) (-c1 / c0);
    }

    /**
     * @param sd weights scoped to the UNet (diffusers keys, LoRA merged, plus {@code vae_reduction.*})
     * @param config the UNet config with in_channels = the codec's ctrl channels
     * @param latentChannels the VAE latent channels (x_t's and eps's width; the SD config's in_channels)
     * @param schedule the noise schedule at the conditioning timestep (its float32 alpha_bar)
     */
    public static OneStepUNet load(StateDict sd, UNetConfig config, int latentChannels, NoiseSchedule schedule, int timestep) {
        if (config.outChannels() != latentChannels) {
            throw new IllegalArgumentException("config: the UNet predicts " + config.outChannels() + " channels, the latent has " + latentChannels);
        }
        if (schedule.prediction != NoiseSchedule.Prediction.EPSILON) throw new IllegalArgumentException("config: OneDC's UNet predicts epsilon");
        UNet2DConditionModel unet = UNet2DConditionModel.load(sd, config);
        VaeReduction red = VaeReduction.load(sd.scope("vae_reduction"), config.inChannels(), latentChannels);
        return new OneStepUNet(config, unet, red, timestep, schedule.alphaBar);
    }

    /** eps, x_t and x0 of one call. */
    public record Output(Node eps, Node xT, Node x0) {}

    /**
     * @param xHat (1, ctrl, h, w): the codec decoder's output
     * @param context (1, T, cross_attention_dim): the semantic adaptor's tokens
     */
    public Output forward(Graph g, Node xHat, Node context) {
        Node eps = unet.forward(g, xHat, timestep, context);
        Node xT = reduction.forward(g, xHat);
        return new Output(eps, xT, g.add(g.scale(xT, a, 0f), g.scale(eps, b, 0f)));
    }
}
