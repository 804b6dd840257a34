package dev.sodec.codec.conformance;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** The SODEC network kinds of golden FORMAT.md section 5: model.unet2d_condition, model.vae_decoder, model.clip_vision. */
public final class ModelKinds {
    private ModelKinds() {}

    public static void register(Kinds k) {
        k.register("model.unet2d_condition", (c, b) -> {
            UNet2DConditionModel unet = OpKinds.load(c, sd -> UNet2DConditionModel.load(sd, c.config()));
            float t = (float) c.call().getDouble("timestep");
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("eps", unet.forward(b, c.input("sample"), t, c.input("encoder_hidden_states")));
            return m;
        });
        k.register("model.vae_decoder", (c, b) -> {
            VaeDecoder vae = OpKinds.load(c, sd -> VaeDecoder.load(sd, c.config()));
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("image", vae.decode(b, c.input("latent")));
            return m;
        });
        k.register("model.clip_vision", (c, b) -> {
            ClipVisionModel vit = OpKinds.load(c, sd -> ClipVisionModel.load(sd, c.config()));
            ClipVisionModel.Output o = vit.forward(b, c.input("pixel_values"));
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("last_hidden_state", o.lastHiddenState());
            m.put("pooler_output", o.poolerOutput());
            m.put("hidden_states_m2", o.hiddenState(-2));
            m.put("hidden_states_0", o.hiddenState(0));
            return m;
        });
    }
}
