package dev.sodec.convert.model;

import static dev.sodec.convert.TestFiles.assertSameTensors;
import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.read.Checkpoints;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LDM single files mapped to diffusers names equal the diffusers folder of the same weights exactly. */
class LdmTest {
    static Map<String, Tensor> tensors(Conversion c) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Pending> e : c.model().weights().entrySet()) m.put(e.getKey(), e.getValue().data().get());
        return m;
    }

    static Config caseJson(String id) throws Exception {
        return Config.parse(Files.readString(caseDir(id).resolve("case.json")), id);
    }

    /** Every key the case's diffusers config states must come out of the derivation with the same meaning. */
    static void assertConfigAgrees(Map<String, Object> expected, Map<String, Object> derived, String what) {
        for (String key : expected.keySet()) assertNull(ConfigMeaning.difference(key, expected, derived), what);
    }

    @Test
    void ldmFilesEqualTheDiffusersFolder() throws Exception {
        Path diff = caseDir("checkpoint.diffusers.sd.tiny");
        for (String id : List.of("checkpoint.ldm.sd.ckpt", "checkpoint.ldm.sd.safetensors")) {
            Config cj = caseJson(id);
            Config ldm = cj.getObject("config").getObject("ldm_original_config");
            Path file = caseDir(id).resolve(cj.getObject("checkpoint").getStringList("files").get(0));
            try (Conversion ref = Diffusers.unet(diff.resolve("unet"));
                 Conversion got = LdmSingleFile.unet(Checkpoints.open(file), ldm)) {
                assertSameTensors(tensors(ref), tensors(got), id + " unet");
                assertConfigAgrees(cj.getObject("config").getObject("unet").asMap(), got.model().config(), id + " unet");
            }
            try (Conversion ref = Diffusers.vae(diff.resolve("vae"), false);
                 Conversion got = LdmSingleFile.vae(Checkpoints.open(file), ldm, false)) {
                assertSameTensors(tensors(ref), tensors(got), id + " vae");
                assertConfigAgrees(cj.getObject("config").getObject("vae").asMap(), got.model().config(), id + " vae");
            }
            try (Conversion got = LdmSingleFile.vae(Checkpoints.open(file), ldm, true)) {
                assertTrue(got.model().weights().keySet().stream().noneMatch(k -> k.startsWith("encoder.") || k.startsWith("quant_conv.")));
                assertEquals("vae_decoder", got.model().kind());
            }
        }
    }

    /**
     * attention_head_dim as diffusers' create_unet_diffusers_config writes it: one number from {@code num_heads},
     * a list per level from {@code num_head_channels}.
     */
    @Test
    void headsAreWrittenLikeDiffusersConversion() throws Exception {
        String id = "checkpoint.ldm.sd.safetensors";
        Config cj = caseJson(id);
        Path file = caseDir(id).resolve(cj.getObject("checkpoint").getStringList("files").get(0));
        Map<String, Object> ldm = Json.parseObject(Json.write(cj.getObject("config").getObject("ldm_original_config").asMap()));
        try (Conversion got = LdmSingleFile.unet(Checkpoints.open(file), new Config(ldm, id))) {
            assertEquals(List.of(2L, 4L), got.model().config().get("attention_head_dim")); // num_head_channels 8
        }
        Map<String, Object> params = sub(sub(sub(sub(ldm, "model"), "params"), "unet_config"), "params");
        params.remove("num_head_channels");
        params.put("num_heads", 2L);
        try (Conversion got = LdmSingleFile.unet(Checkpoints.open(file), new Config(ldm, id))) {
            assertEquals(2L, got.model().config().get("attention_head_dim"));
            Map<String, Object> perBlock = new LinkedHashMap<>(got.model().config());
            perBlock.put("attention_head_dim", List.of(2L, 2L));
            assertNull(ConfigMeaning.difference("attention_head_dim", perBlock, got.model().config()));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sub(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }
}
