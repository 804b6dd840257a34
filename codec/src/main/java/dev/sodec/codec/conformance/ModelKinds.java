package dev.sodec.codec.conformance;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.engine.graph.Eager;
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
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("sample", c.input("sample"));
            in.put("encoder_hidden_states", c.input("encoder_hidden_states"));
            return new Eager(b).run(in, (g, n) -> g.output("eps", unet.forward(g, n.get("sample"), t, n.get("encoder_hidden_states"))));
        });
        k.register("model.vae_decoder", (c, b) -> {
            VaeDecoder vae = OpKinds.load(c, sd -> VaeDecoder.load(sd, c.config()));
            return new Eager(b).run(Map.of("latent", c.input("latent")), (g, n) -> g.output("image", vae.decode(g, n.get("latent"))));
        });
        k.register("model.clip_vision", (c, b) -> {
            ClipVisionModel vit = OpKinds.load(c, sd -> ClipVisionModel.load(sd, c.config()));
            return new Eager(b).run(Map.of("pixel_values", c.input("pixel_values")), (g, n) -> {
                ClipVisionModel.Output o = vit.forward(g, n.get("pixel_values"));
                g.output("last_hidden_state", o.lastHiddenState());
                g.output("pooler_output", o.poolerOutput());
                g.output("hidden_states_m2", o.hiddenState(-2));
                g.output("hidden_states_0", o.hiddenState(0));
            });
        });
    }
}
