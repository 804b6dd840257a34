package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The networks built from real library folders in ../shared/checkpoints: the UNet and VAE decoder from a diffusers
 * save_pretrained folder (checkpoint.diffusers.sd.tiny: the full config.json as diffusers writes it, nulls
 * included, non-square latents, and the VAE's encoder weights that decoding ignores), and the CLIP tower from a
 * transformers folder in hub (4.x, {@code vision_model.}) layout with its config.json.
 */
class CheckpointFolderTest {
    private static final Path CASE = Path.of(System.getProperty("sodec.shared")).resolve("checkpoints/checkpoint.diffusers.sd.tiny");

    private static Config config(String component) throws Exception {
        return Config.parse(Files.readString(CASE.resolve(component).resolve("config.json")), component + "/config.json");
    }

    private static Config tolerances(Path dir) throws Exception {
        return Config.parse(Files.readString(dir.resolve("case.json")), "case.json").getObject("tolerance_per_output");
    }

    private static void assertClose(String name, Tensor got, SafeTensors io) throws Exception {
        assertClose(CASE, name, got, io);
    }

    private static void assertClose(Path dir, String name, Tensor got, SafeTensors io) throws Exception {
        Config t = tolerances(dir).getObject(name);
        Comparison c = Comparison.compare(name, got, io.get("out." + name), t.getDouble("rel_l2"), t.getDouble("max_abs"));
        assertTrue(c.pass(), name + ": " + c.detail() + " rel_l2 " + c.relL2() + " max_abs " + c.maxAbs());
    }

    @Test
    void unetFromSavePretrainedFolder() throws Exception {
        try (SafeTensors w = SafeTensors.open(CASE.resolve("unet/diffusion_pytorch_model.safetensors"));
             SafeTensors io = SafeTensors.open(CASE.resolve("io.safetensors")); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine("diffusers", w.tensors()), "unet");
            UNet2DConditionModel unet = UNet2DConditionModel.load(sd, config("unet"));
            sd.requireAllConsumed();
            assertClose("unet.eps", new Eager(cpu).run((g, n) -> unet.forward(g, n[0], 999f, n[1]), io.get("in.unet.sample"),
                    io.get("in.unet.encoder_hidden_states")), io);
        }
    }

    @Test
    void vaeDecoderFromSavePretrainedFolder() throws Exception {
        try (SafeTensors w = SafeTensors.open(CASE.resolve("vae/diffusion_pytorch_model.safetensors"));
             SafeTensors io = SafeTensors.open(CASE.resolve("io.safetensors")); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine("diffusers", w.tensors()), "vae");
            VaeDecoder vae = VaeDecoder.load(sd, config("vae"));
            sd.requireAllConsumed();
            assertClose("vae.image", new Eager(cpu).run((g, n) -> vae.decode(g, n[0]), io.get("in.vae.latent")), io);
        }
    }

    @Test
    void clipVisionFromHubLayoutFolder() throws Exception {
        Path dir = CASE.resolveSibling("checkpoint.transformers.clip_vision.tiny");
        try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"));
             SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors")); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(w.tensors(), "clip");
            Config cfg = Config.parse(Files.readString(dir.resolve("config.json")), "config.json");
            ClipVisionModel vit = ClipVisionModel.load(sd.scope("vision_model"), cfg);
            sd.requireAllConsumed();
            var o = new Eager(cpu).run(java.util.Map.of("px", io.get("in.pixel_values")), (g, n) -> {
                ClipVisionModel.Output out = vit.forward(g, n.get("px"));
                g.output("last_hidden_state", out.lastHiddenState());
                g.output("pooler_output", out.poolerOutput());
                g.output("hidden_states_m2", out.hiddenState(-2));
                g.output("hidden_states_0", out.hiddenState(0));
            });
            for (var e : o.entrySet()) assertClose(dir, e.getKey(), e.getValue(), io);
        }
    }
}
