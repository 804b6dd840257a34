package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import dev.sodec.engine.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plumbing of {@link CheckpointKinds}: with stand-in golden kinds that inspect the derived case (kind, naming,
 * config, inputs, and the converted weights compared with the diffusers/CompressAI/transformers originals read
 * directly), every checkpoint case is converted and delegated. The stand-ins return the expected outputs, so this
 * tests the delegation, not the models; the real models run in {@link CheckpointConformanceTest}.
 */
class CheckpointKindsTest {
    private static final Path SUITE = Path.of(System.getProperty("sodec.shared")).resolve("checkpoints");

    private final List<String> calls = new ArrayList<>();

    private KindRunner standIn(String kind, String naming, Path reference, String referencePrefix) {
        return (c, b) -> {
            assertEquals(kind, c.kind(), c.id());
            assertEquals(naming, c.naming(), c.id());
            Map<String, Tensor> w = c.weights();
            assertTrue(w.size() > 20, c.id() + ": " + w.size() + " weights");
            if (reference != null) {
                try (SafeTensors ref = SafeTensors.open(reference)) {
                    int same = 0;
                    for (String k : ref.names()) {
                        if (!k.startsWith(referencePrefix)) continue;
                        String engine = k.substring(referencePrefix.length());
                        if (kind.equals("model.vae_decoder") && (engine.startsWith("encoder.") || engine.startsWith("quant_conv."))) continue;
                        Tensor got = w.get(engine);
                        assertTrue(got != null, c.id() + ": converted weights lack " + engine);
                        assertArrayEquals(ref.get(k).shape(), got.shape(), engine);
                        if (Arrays.equals(ref.get(k).toFloatArray(), got.toFloatArray())) same++;
                    }
                    calls.add(c.id() + " " + kind + " same=" + same + "/" + w.size());
                }
            } else {
                calls.add(c.id() + " " + kind);
            }
            for (String in : c.inputNames()) assertTrue(c.input(in).numel() > 0, in);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String o : c.outputNames()) out.put(o, c.expected(o));
            assertTrue(c.config().has(kind.equals("model.compressai.mbt2018_mean") ? "N" : kind.equals("model.clip_vision")
                    ? "hidden_size" : "block_out_channels"), c.id());
            return out;
        };
    }

    @Test
    void everyCheckpointCaseIsConvertedAndDelegated() throws Exception {
        Path unet = SUITE.resolve("checkpoint.diffusers.sd.tiny/unet/diffusion_pytorch_model.safetensors");
        Path vae = SUITE.resolve("checkpoint.diffusers.sd.tiny/vae/diffusion_pytorch_model.safetensors");
        Path clip = SUITE.resolve("checkpoint.transformers.clip_vision.tiny/model.safetensors");
        Kinds k = new Kinds();
        k.register("model.compressai.mbt2018_mean", standIn("model.compressai.mbt2018_mean", "compressai", null, ""));
        k.register("model.clip_vision", standIn("model.clip_vision", "transformers", clip, "vision_model."));
        Map<String, Path> refs = Map.of("model.unet2d_condition", unet, "model.vae_decoder", vae);
        k.register("model.unet2d_condition", standIn("model.unet2d_condition", "diffusers", refs.get("model.unet2d_condition"), ""));
        k.register("model.vae_decoder", standIn("model.vae_decoder", "diffusers", refs.get("model.vae_decoder"), ""));
        CheckpointKinds.register(k);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (var b = dev.sodec.engine.backend.Backends.create(dev.sodec.engine.backend.Backends.DEFAULT, 1)) {
            s = new ConformanceRunner(k, b).run(SUITE, List.of(), new PrintStream(buf, true));
        }
        String log = buf.toString();
        for (ConformanceRunner.CaseResult r : s.results()) {
            assertEquals(ConformanceRunner.Status.PASS, r.status(), r.id() + ": " + r.detail() + "\n" + log);
        }
        assertEquals(12, s.results().size(), log);
        // 6 compressai flavours, clip x1, diffusers (unet + vae), 2 ldm x (unet + vae), 2 lora x 3 variants
        assertEquals(6 + 1 + 2 + 4 + 6, calls.size(), String.join("\n", calls));
        for (String call : calls) {
            // converted weights equal the originals exactly, except the LoRA-merged UNets
            if (call.contains(" same=")) {
                String[] f = call.substring(call.indexOf("same=") + 5).split("/");
                boolean merged = call.startsWith("checkpoint.lora_unet") && !call.contains("eps_base");
                if (!merged) assertEquals(f[1], f[0], call);
            }
        }
    }

    /**
     * Configs are compared by meaning: an LDM config with {@code num_heads: 2} converts to diffusers'
     * {@code attention_head_dim: 2}, which must be accepted where the case writes the same heads per block as
     * {@code [2, 2]} (and the delegated case gets the converter's form).
     */
    @Test
    void perBlockConfigValuesCompareByMeaning(@TempDir Path suite) throws Exception {
        Path src = SUITE.resolve("checkpoint.ldm.sd.safetensors");
        Path dir = Files.createDirectories(suite.resolve("checkpoint.ldm.sd.safetensors"));
        for (String f : List.of("model.safetensors", "io.safetensors")) Files.copy(src.resolve(f), dir.resolve(f));
        Map<String, Object> json = Json.parseObject(Files.readString(src.resolve("case.json")));
        Map<String, Object> unetParams = obj(obj(obj(obj(obj(json, "config"), "ldm_original_config"), "model"), "params"), "unet_config");
        unetParams = obj(unetParams, "params");
        unetParams.remove("num_head_channels");
        unetParams.put("num_heads", 2L);
        obj(obj(obj(json, "models"), "unet"), "config").put("attention_head_dim", List.of(2L, 2L));
        Files.writeString(dir.resolve("case.json"), Json.write(json));

        Kinds k = new Kinds();
        List<Object> seen = new ArrayList<>();
        k.register("model.unet2d_condition", (c, b) -> {
            seen.add(c.config().asMap().get("attention_head_dim"));
            return standIn("model.unet2d_condition", "diffusers", null, "").run(c, b);
        });
        k.register("model.vae_decoder", standIn("model.vae_decoder", "diffusers", null, ""));
        CheckpointKinds.register(k);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConformanceRunner.Summary s;
        try (var b = dev.sodec.engine.backend.Backends.create(dev.sodec.engine.backend.Backends.DEFAULT, 1)) {
            s = new ConformanceRunner(k, b).run(suite, List.of(), new PrintStream(buf, true));
        }
        assertEquals(1, s.count(ConformanceRunner.Status.PASS), buf.toString());
        assertEquals(List.of(2L), seen); // one number, as diffusers' own conversion writes it
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }
}
