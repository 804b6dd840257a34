package dev.sodec.codec.conformance;

import dev.sodec.codec.onedc.FixedOrderPrior;
import dev.sodec.codec.onedc.OneDcCodec;
import dev.sodec.codec.onedc.OneDcConfig;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.onedc.OneDcNetworks;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.net.IntraNoArConfig;
import dev.sodec.codec.onedc.entropy.FourPartPrior;
import dev.sodec.codec.onedc.net.SpatialPriorNets;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conformance kinds of OneDC's coding with its networks: {@code onedc.four_part} (the four-part prior with the
 * prior networks on the fixed-order path the codec uses), {@code onedc.codec} (the whole small codec: our encoder's
 * file bytes, then its decode) and {@code onedc.pipeline} (a full decode from file bytes through the same model
 * loading as a model file: the reference's prefixes renamed to the engine's, LoRA merged as the converter does).
 */
public final class OneDcCodecKinds {
    /** diffusers' AutoencoderKL default scaling factor (the codec case has no VAE). */
    static final double DEFAULT_SCALING = 0.18215;

    private OneDcCodecKinds() {}

    public static void register(Kinds k) {
        k.register("onedc.four_part", OneDcCodecKinds::fourPart);
        k.register("onedc.codec", OneDcCodecKinds::codec);
        k.register("onedc.pipeline", OneDcCodecKinds::pipeline);
    }

    /** Encode x with the given cond to file bytes, then decode those bytes (the codec half). */
    private static Map<String, Tensor> codec(GoldenCase c, Backend b) {
        IntraNoArConfig cfg = OneDcNetworkKinds.config(c);
        OneDcNetworks nets = OneDcNetworkKinds.load(c, sd -> OneDcNetworks.loadCodec(sd, cfg));
        OneDcGeometry geo = new OneDcGeometry(c.call().getInt("height"), c.call().getInt("width"));
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (OneDcCodec codec = new OneDcCodec(cfg, DEFAULT_SCALING, nets); Parallel par = new Parallel(Math.max(1, b.threads()))) {
            OneDcCodec.Encoded e = codec.encode(b, par, c.input("x"), c.input("cond"), geo, false);
            byte[] file = e.file().encode();
            out.put("file", Tensor.fromBytes(file));
            out.put("y", e.y());
            out.put("sem", e.sem());
            out.put("z", e.z());
            out.put("z_hat", e.zHat());
            out.put("z_indices", Tensor.fromInts(e.zIndices(), 1, geo.zHeight(), geo.zWidth()));
            out.put("params", e.params());
            // the decoder half runs from the reference's file (decoder-only conformance, as pipeline.sodec does), so a
            // reduced-precision backend whose encoder rounds a latent the other way is still judged on decoding
            byte[] reference = c.expected("file").toByteArray();
            OneDcCodec.Latents l = codec.entropyDecode(par, OneDcFile.parse(reference));
            OneDcCodec.CodecDecoded d = codec.decodeCodec(b, l.yHat(), l.zHat());
            out.put("y_semantic", d.ySemantic());
            out.put("x_hat", d.xHat());
            if (Arrays.equals(file, reference) && !Arrays.equals(l.yHat().toFloatArray(), e.yHat().toFloatArray())) {
                throw new IllegalStateException("onedc.codec: the decoder's y_hat differs from the encoder's");
            }
        }
        return out;
    }

    /** The whole decode from the file bytes, every intermediate. */
    private static Map<String, Tensor> pipeline(GoldenCase c, Backend b) throws Exception {
        Config cfg = c.config();
        Config ul = cfg.getObject("unet_lora");
        Map<String, Object> engine = engineConfig(cfg.getObject("codec"), ul.getObject("unet"), ul.getInt("in_ch"), cfg.getObject("vae"));
        Map<String, Tensor> weights = new LinkedHashMap<>(), unet = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.weights().entrySet()) {
            String key = e.getKey();
            if (key.startsWith("codec_model.")) weights.put("codec." + key.substring("codec_model.".length()), e.getValue());
            else if (key.startsWith("vae_large.")) weights.put("vae." + key.substring("vae_large.".length()), e.getValue());
            else if (key.startsWith("feedforward_model.")) unet.put(key.substring("feedforward_model.".length()), e.getValue());
            else throw new IllegalArgumentException(c.id() + ": weight " + key + " is under no OneDC prefix");
        }
        OneDcModelKinds.mergePeft(unet, ul.getObject("lora_config").getDouble("lora_alpha"), c.id()).forEach((k, v) -> weights.put("unet." + k, v));
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (OneDcModel m = OneDcModel.fromWeights(weights, OneDcConfig.from(new Config(engine, c.id() + " config")), new byte[8], c.id());
             Parallel par = new Parallel(Math.max(1, b.threads()))) {
            out.putAll(decodeFile(m.codec(), b, par, c.input("file").toByteArray()));
        }
        return out;
    }

    /** Decodes OneDC file bytes with every intermediate: the pipeline kind's outputs. */
    static Map<String, Tensor> decodeFile(OneDcCodec codec, Backend b, Parallel par, byte[] bytes) {
        OneDcFile file = OneDcFile.parse(bytes);
        OneDcGeometry geo = file.geometry();
        OneDcCodec.Latents l = codec.entropyDecode(par, file);
        OneDcCodec.Decoded d = codec.decodeAll(b, l.yHat(), l.zHat(), geo);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("z_indices", Tensor.fromInts(l.zIndices(), 1, geo.zHeight(), geo.zWidth()));
        out.put("z_hat", l.zHat());
        out.put("y_hat", l.yHat());
        out.put("y_semantic", d.ySemantic());
        out.put("x_hat", d.xHat());
        out.put("context", d.context());
        out.put("eps", d.eps());
        out.put("x_t", d.xT());
        out.put("x0", d.x0());
        out.put("image", d.image());
        return out;
    }

    /**
     * The engine config of a OneDC model (what the converter writes) from the reference's parts: the codec kwargs,
     * the SD UNet config (conv_in from ctrl channels), the AutoencoderKL config (with attn_patch).
     */
    static Map<String, Object> engineConfig(Config codec, Config sdUnet, int ctrlCh, Config vae) {
        Map<String, Object> unet = new LinkedHashMap<>(sdUnet.asMap());
        unet.put("in_channels", (long) ctrlCh);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", OneDcConfig.ARCHITECTURE);
        m.put("z_only", false);
        m.put("codec", codec.asMap());
        m.put("unet", unet);
        m.put("unet_latent_channels", (long) sdUnet.getInt("in_channels", 4));
        m.put("vae", vae.asMap());
        m.put("timestep", 999L);
        m.put("scaling_factor", vae.getDouble("scaling_factor", DEFAULT_SCALING));
        m.put("prediction_type", "epsilon");
        m.put("beta_start", OneDcModelKinds.BETA_START);
        m.put("beta_end", OneDcModelKinds.BETA_END);
        m.put("num_train_timesteps", (long) OneDcModelKinds.TRAIN_STEPS);
        m.put("beta_schedule", "scaled_linear");
        return m;
    }

    private static Map<String, Tensor> fourPart(GoldenCase c, Backend b) {
        SpatialPriorNets nets = OneDcNetworkKinds.load(c, sd -> SpatialPriorNets.load(sd, OneDcNetworkKinds.config(c)));
        FixedOrderPrior prior = new FixedOrderPrior(null, null, nets);
        Tensor y = c.input("y"), params = c.input("params");
        FourPartPrior fp = FourPartPrior.forShape(y.shape());
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Parallel par = new Parallel(Math.max(1, b.threads()))) {
            FourPartPrior.Encoded e = fp.compress(y, params, prior.spatial(par));
            int[] plane = {1, y.dim(1) / 4, y.dim(2), y.dim(3)};
            for (int s = 0; s < FourPartPrior.STEPS; s++) {
                out.put("symbols_" + s, Tensor.fromInts(e.symbols()[s], plane));
                out.put("scales_" + s, Tensor.fromFloats(e.scales()[s], plane));
                out.put("indexes_" + s, Tensor.fromInts(e.indexes()[s], plane));
            }
            out.put("y_hat", e.yHat());
            out.put("y_stream", Tensor.fromBytes(e.stream()));
            out.put("y_hat_dec", fp.decompress(e.stream(), params, prior.spatial(par)));
        }
        return out;
    }
}
