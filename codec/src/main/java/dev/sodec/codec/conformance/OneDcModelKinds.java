package dev.sodec.codec.conformance;

import dev.sodec.codec.onedc.unet.OneStepUNet;
import dev.sodec.codec.sodec.NoiseSchedule;
import dev.sodec.codec.sodec.unet.UNetConfig;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.lora.PeftUnmerged;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conformance kinds of OneDC's standard SD parts: {@code onedc.unet_lora} (the SD 1.5 UNet with unmerged PEFT LoRA,
 * merged here as the converter does, OneDC's conv_in and vae_reduction, x0 at t = 999) and
 * {@code onedc.vae_decoder_windowed} (the SD VAE decoder with 16x16-window mid-block attention).
 */
public final class OneDcModelKinds {
    /** The schedule OneDC's DDIMScheduler uses (SD 1.5: scaled_linear 0.00085..0.012, 1000 steps). */
    static final double BETA_START = 0.00085, BETA_END = 0.012;
    static final int TRAIN_STEPS = 1000;

    private OneDcModelKinds() {}

    public static void register(Kinds k) {
        k.register("onedc.unet_lora", OneDcModelKinds::unetLora);
        k.register("onedc.vae_decoder_windowed", (c, b) -> {
            VaeDecoder vae = OneDcNetworkKinds.load(c, sd -> VaeDecoder.load(sd, c.config()));
            float inv = latentScale(c.config().getDouble("scaling_factor", 0.18215));
            return new Eager(b).run(Map.of("x0", c.input("x0")), (g, in) -> g.output("image", vae.decode(g, g.scale(in.get("x0"), inv, 0f))));
        });
    }

    /** The UNet config of a OneDC UNet: the SD config with in_channels = the codec's ctrl channels. */
    static UNetConfig unetConfig(Config sdUnet, int ctrlCh) {
        Map<String, Object> m = new LinkedHashMap<>(sdUnet.asMap());
        m.put("in_channels", (long) ctrlCh);
        return UNetConfig.from(new Config(m, sdUnet + " (OneDC conv_in)"));
    }

    /** PEFT-unmerged weights merged with factor alpha / r (the converter's merge), as plain tensors. */
    static Map<String, Tensor> mergePeft(Map<String, Tensor> weights, double alpha, String source) throws CheckpointException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        PeftUnmerged.merge(weights, alpha, source).weights().forEach((key, p) -> out.put(key, p.data().get()));
        return out;
    }

    /** 1 / scaling_factor as torch multiplies a float32 tensor by the Python float: rounded once to float32. */
    static float latentScale(double scalingFactor) {
        return (float) (1.0 / scalingFactor);
    }

    static NoiseSchedule schedule(int timestep) {
        return new NoiseSchedule(BETA_START, BETA_END, TRAIN_STEPS, timestep, NoiseSchedule.Prediction.EPSILON);
    }

    private static Map<String, Tensor> unetLora(GoldenCase c, Backend b) throws CheckpointException {
        Config cfg = c.config();
        Config sdUnet = cfg.getObject("unet");
        int timestep = c.call().getInt("timestep");
        double alpha = cfg.getObject("lora_config").getDouble("lora_alpha");
        StateDict sd = new StateDict(mergePeft(c.weights(), alpha, c.id() + "/weights.safetensors"), c.id());
        NoiseSchedule s = schedule(timestep);
        OneStepUNet unet = OneStepUNet.load(sd, unetConfig(sdUnet, cfg.getInt("in_ch")), sdUnet.getInt("in_channels", 4), s, timestep);
        sd.requireAllConsumed();
        Map<String, Tensor> out = new Eager(b).run(OneDcNetworkKinds.inputs(c, "x_hat", "context"), (g, in) -> {
            OneStepUNet.Output o = unet.forward(g, in.get("x_hat"), in.get("context"));
            g.output("eps", o.eps());
            g.output("x_t", o.xT());
            g.output("x0", o.x0());
        });
        out.put("abar_999", Tensor.fromFloats(new float[] {s.alphaBar}, 1));
        return out;
    }
}
