package dev.sodec.codec.sodec;

import dev.sodec.codec.compression.HyperpriorNetworks;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.GraphCache;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * The SODEC decoder after entropy decoding (ARCHITECTURE.md section 2, decoder steps 2 to 7) as one graph: from
 * y_hat and z_hat through g_s (x_f), the ViT guidance, Hs/Ts, one UNet call, the x0 step and the VAE decoder to
 * x_hat. Compiled once per backend and latent size, so a decode after the first moves only the two latents to the
 * backend and the image back. Safe to share between threads.
 */
public final class GenerativeDecoder implements AutoCloseable {
    /** CLIP's image normalization (OpenAI CLIP mean / std per RGB channel). */
    static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final String[] INPUTS = {"y_hat", "z_hat"};
    /** Names of every intermediate {@link #decodeAll} returns, in {@link Result} order. */
    private static final String[] ALL = {"x_f", "w", "y_t", "c_g", "eps", "y0", "x_hat"};

    public final SodecConfig config;
    private final HyperpriorNetworks synthesis;
    private final ClipVisionModel vit;
    private final GuidanceProjection proj;
    private final LatentTransform latent;
    private final UNet2DConditionModel unet;
    private final VaeDecoder vae;
    /** (v - mean) / std per channel as a 1x1 depthwise convolution: weight 1/std, bias -mean/std. */
    private final Tensor clipScale, clipShift;
    private final GraphCache graphs = new GraphCache();

    private GenerativeDecoder(SodecConfig config, HyperpriorNetworks synthesis, ClipVisionModel vit, GuidanceProjection proj,
                              LatentTransform latent, UNet2DConditionModel unet, VaeDecoder vae) {
        this.config = config;
        this.synthesis = synthesis;
        this.vit = vit;
        this.proj = proj;
        this.latent = latent;
        this.unet = unet;
        this.vae = vae;
        float[] scale = new float[3], shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / CLIP_STD[c];
            shift[c] = -CLIP_MEAN[c] / CLIP_STD[c];
        }
        this.clipScale = Tensor.fromFloats(scale, 3, 1, 1, 1);
        this.clipShift = Tensor.fromFloats(shift, 3);
    }

    /**
     * Loads from unscoped SODEC weights: vit.*, proj.*, hs.*, ts.*, unet.*, vae.* (compression.* is left alone);
     * {@code synthesis} is the compression model's networks, whose g_s gives x_f.
     */
    public static GenerativeDecoder load(StateDict sd, SodecConfig c, HyperpriorNetworks synthesis) {
        ClipVisionModel vit = ClipVisionModel.load(sd.scope("vit"), c.vit());
        if (vit.config.numChannels() != 3) throw new IllegalArgumentException("config: the ViT must take 3 channels");
        GuidanceProjection proj = GuidanceProjection.load(sd.scope("proj"), c.vit().hiddenSize(), c.crossDim());
        LatentTransform lt = LatentTransform.load(sd, c.compression().N(), c.compression().M(), c.c(), c.cl(),
                c.unet().inChannels());
        UNet2DConditionModel unet = UNet2DConditionModel.load(sd.scope("unet"), c.unet());
        VaeDecoder vae = VaeDecoder.load(sd.scope("vae"), c.vae());
        return new GenerativeDecoder(c, synthesis, vit, proj, lt, unet, vae);
    }

    /** Every intermediate of one decode (the golden case compares each). */
    public record Result(Tensor xF, Tensor w, Tensor yT, Tensor cG, Tensor eps, Tensor y0, Tensor xHat) {}

    /**
     * Records the whole decode into {@code g}: every intermediate as an output when {@code all}, else x_hat alone
     * (so the plan keeps nothing else alive).
     *
     * @param yHat (1, M, H/16, W/16)
     * @param zHat (1, N, H/64, W/64)
     */
    public void record(Graph g, Node yHat, Node zHat, boolean all) {
        g.stage("g_s");
        Node xF = synthesis.synthesis(g, yHat);
        g.stage("hs_ts");
        Node w = latent.hs(g, zHat);
        Node yT = latent.ts(g, yHat, w);
        g.stage("vit");
        Node cG = guidance(g, xF);
        g.stage("unet");
        Node eps = unet.forward(g, yT, (float) config.timestep(), cG);
        Node y0 = config.schedule().x0(g, yT, eps);
        g.stage("vae");
        Node xHat = image(g, y0);
        g.stage(null);
        Node[] values = {xF, w, yT, cG, eps, y0, xHat};
        if (all) {
            for (int i = 0; i < ALL.length; i++) g.output(ALL[i], values[i]);
        } else {
            g.output("x_hat", xHat);
        }
    }

    /** x_hat (1, 3, H, W) in [0, 1] from the entropy-decoded latents. */
    public Tensor decode(Backend b, Tensor yHat, Tensor zHat) {
        return executable(b, yHat, zHat).run(yHat, zHat)[0];
    }

    /** The compiled decode for these latents' sizes (what {@link #decode} runs; the bench profiles it). */
    public Executable executable(Backend b, Tensor yHat, Tensor zHat) {
        return graphs.executable(b, "decode", INPUTS, new Tensor[] {yHat, zHat}, (g, in) -> record(g, in[0], in[1], false));
    }

    /** The decode with every intermediate kept and returned. */
    public Result decodeAll(Backend b, Tensor yHat, Tensor zHat) {
        Tensor[] r = graphs.run(b, "decode-all", INPUTS, new Tensor[] {yHat, zHat}, (g, in) -> record(g, in[0], in[1], true));
        return new Result(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    }

    /** c_g = Fp(ViT(CLIP-normalize(resize(x_f))).hidden_states[-2]) over all tokens. */
    public Node guidance(Graph g, Node xF) {
        int s = vit.config.imageSize();
        Node px = g.resizeBilinear(xF, s, s);
        px = g.conv2d(px, g.constant(clipScale), g.constant(clipShift), Conv2dParams.of(1, 0, 1, 3));
        Node tokens = vit.hiddenState(g, px, SodecConfig.VIT_HIDDEN_STATE);
        return proj.forward(g, tokens);
    }

    /** x_hat = clamp((vae.decode(y0 / scaling_factor) + 1) / 2, 0, 1). */
    public Node image(Graph g, Node y0) {
        Node img = vae.decode(g, g.scale(y0, 1f / config.scalingFactor(), 0f));
        return g.clamp(g.scale(img, 0.5f, 0.5f), 0f, 1f);
    }

    /** Frees the compiled graphs of {@code b} (before {@code b} closes). */
    public void release(Backend b) {
        graphs.forget(b);
    }

    @Override
    public void close() {
        graphs.close();
    }
}
