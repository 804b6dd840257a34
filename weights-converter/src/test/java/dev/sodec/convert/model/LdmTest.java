package dev.sodec.convert.model;

import static dev.sodec.convert.TestFiles.assertSameTensors;
import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** Every key the case's diffusers config states must come out of the derivation with the same value. */
    static void assertConfigAgrees(Map<String, Object> expected, Map<String, Object> derived, String what) {
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            assertEquals(Json.write(e.getValue()), Json.write(derived.get(e.getKey())), what + " config key " + e.getKey());
        }
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
}
