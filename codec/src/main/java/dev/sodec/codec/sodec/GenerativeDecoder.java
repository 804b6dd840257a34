package dev.sodec.codec.sodec;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.memory.ActivationPlanner;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * The SODEC decoder after entropy decoding (ARCHITECTURE.md section 2, decoder steps 3 to 7): from the fidelity
 * reconstruction x_f, z_hat and y_hat to x_hat with one UNet call. Immutable; safe to share between threads.
 */
public final class GenerativeDecoder {
    /** CLIP's image normalization (OpenAI CLIP mean / std per RGB channel). */
    static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public final SodecConfig config;
    private final ClipVisionModel vit;
    private final GuidanceProjection proj;
    private final LatentTransform latent;
    private final UNet2DConditionModel unet;
    private final VaeDecoder vae;
    /** Activation memory of the two big forwards, planned once per input shape and reused by lifetime. */
    private final ActivationPlanner unetPlans = new ActivationPlanner(), vaePlans = new ActivationPlanner();

    private GenerativeDecoder(SodecConfig config, ClipVisionModel vit, GuidanceProjection proj, LatentTransform latent,
                              UNet2DConditionModel unet, VaeDecoder vae) {
        this.config = config;
        this.vit = vit;
        this.proj = proj;
        this.latent = latent;
        this.unet = unet;
        this.vae = vae;
    }

    /** Loads from unscoped SODEC weights: vit.*, proj.*, hs.*, ts.*, unet.*, vae.* (compression.* is left alone). */
    public static GenerativeDecoder load(StateDict sd, SodecConfig c) {
        ClipVisionModel vit = ClipVisionModel.load(sd.scope("vit"), c.vit());
        if (vit.config.numChannels() != 3) throw new IllegalArgumentException("config: the ViT must take 3 channels");
        GuidanceProjection proj = GuidanceProjection.load(sd.scope("proj"), c.vit().hiddenSize(), c.crossDim());
        LatentTransform lt = LatentTransform.load(sd, c.compression().N(), c.compression().M(), c.c(), c.cl(),
                c.unet().inChannels());
        UNet2DConditionModel unet = UNet2DConditionModel.load(sd.scope("unet"), c.unet());
        VaeDecoder vae = VaeDecoder.load(sd.scope("vae"), c.vae());
        return new GenerativeDecoder(c, vit, proj, lt, unet, vae);
    }

    /** Every intermediate of one decode (the golden case compares each). */
    public record Result(Tensor w, Tensor yT, Tensor cG, Tensor eps, Tensor y0, Tensor xHat) {}

    /**
     * @param xF the fidelity reconstruction clamp(g_s(y_hat), 0, 1), (1, 3, H, W)
     * @param zHat (1, N, H/64, W/64)
     * @param yHat (1, M, H/16, W/16)
     */
    public Result decode(Backend b, Tensor xF, Tensor zHat, Tensor yHat) {
        Tensor w = latent.hs(b, zHat);
        Tensor yT = latent.ts(b, yHat, w);
        Tensor cG = guidance(b, xF);
        Tensor eps = unetPlans.run(b, ActivationPlanner.key(yT, cG), pb -> unet.forward(pb, yT, (float) config.timestep(), cG));
        Tensor y0 = Tensor.fromFloats(config.schedule().x0(yT.toFloatArray(), eps.toFloatArray()), yT.shape());
        Tensor xHat = image(b, y0);
        return new Result(w, yT, cG, eps, y0, xHat);
    }

    /** c_g = Fp(ViT(CLIP-normalize(resize(x_f))).hidden_states[-2]) over all tokens. */
    public Tensor guidance(Backend b, Tensor xF) {
        int s = vit.config.imageSize();
        Tensor px = b.resizeBilinear(xF, s, s);
        float[] v = px.toFloatArray();
        int plane = s * s, channels = px.dim(1);
        for (int n = 0; n < px.dim(0); n++) {
            for (int ch = 0; ch < channels; ch++) {
                float mean = CLIP_MEAN[ch], std = CLIP_STD[ch];
                int base = (n * channels + ch) * plane;
                for (int i = base; i < base + plane; i++) v[i] = (v[i] - mean) / std;
            }
        }
        Tensor tokens = vit.hiddenState(b, Tensor.fromFloats(v, px.shape()), SodecConfig.VIT_HIDDEN_STATE);
        return proj.forward(b, tokens);
    }

    /** x_hat = clamp((vae.decode(y0 / scaling_factor) + 1) / 2, 0, 1); NaN maps to 0. */
    public Tensor image(Backend b, Tensor y0) {
        float[] v = y0.toFloatArray();
        float sf = config.scalingFactor();
        for (int i = 0; i < v.length; i++) v[i] = v[i] / sf;
        Tensor latent = Tensor.fromFloats(v, y0.shape());
        Tensor out = vaePlans.run(b, ActivationPlanner.key(latent), pb -> vae.decode(pb, latent));
        float[] img = out.toFloatArray();
        for (int i = 0; i < img.length; i++) {
            float p = (img[i] + 1f) / 2f;
            img[i] = p >= 0f ? Math.min(p, 1f) : 0f;
        }
        return Tensor.fromFloats(img, out.shape());
    }
}
