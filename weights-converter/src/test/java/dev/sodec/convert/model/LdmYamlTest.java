package dev.sodec.convert.model;

import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdmYamlTest {
    @TempDir
    Path tmp;

    /** The tiny case's ldm_original_config written as an LDM yaml (the layout of v2-inference.yaml). */
    private static final String TINY = """
            model:
              base_learning_rate: 1.0e-4
              target: ldm.models.diffusion.ddpm.LatentDiffusion
              params:
                linear_start: 0.00085
                linear_end: 0.0120
                timesteps: 1000
                scale_factor: 0.18215
                first_stage_key: "jpg"
                cond_stage_key: 'txt'
                image_size: 8
                channels: 4
                conditioning_key: crossattn
                use_ema: False   # comment after a value
                unet_config:
                  target: ldm.modules.diffusionmodules.openaimodel.UNetModel
                  params:
                    use_checkpoint: True
                    image_size: 8 # unused
                    in_channels: 4
                    out_channels: 4
                    model_channels: 16
                    attention_resolutions: [ 1 ]
                    num_res_blocks: 2
                    channel_mult: [ 1, 2 ]
                    num_head_channels: 8
                    use_spatial_transformer: True
                    use_linear_in_transformer: True
                    transformer_depth: 1
                    context_dim: 24
                    legacy: False
                first_stage_config:
                  target: ldm.models.autoencoder.AutoencoderKL
                  params:
                    embed_dim: 4
                    monitor: val/rec_loss
                    ddconfig:
                      #attn_type: "vanilla-xformers"
                      double_z: true
                      z_channels: 4
                      resolution: 64
                      in_channels: 3
                      out_ch: 3
                      ch: 8
                      ch_mult:
                      - 1
                      - 2
                      - 2
                      - 2
                      num_res_blocks: 2
                      attn_resolutions: []
                      dropout: 0.0
                    lossconfig:
                      target: torch.nn.Identity
            """;

    @Test
    void parsesTheLdmSubset() throws Exception {
        Map<String, Object> m = LdmYaml.parse("t.yaml", TINY);
        Config p = new Config(m, "t").getObject("model").getObject("params");
        assertEquals(1.0e-4, new Config(m, "t").getObject("model").getDouble("base_learning_rate"));
        assertEquals("jpg", p.getString("first_stage_key"));
        assertEquals("txt", p.getString("cond_stage_key"));
        assertEquals(false, p.getBool("use_ema"));
        Config dd = p.getObject("first_stage_config").getObject("params").getObject("ddconfig");
        assertEquals(Json.write(List.of(1L, 2L, 2L, 2L)), Json.write(dd.asMap().get("ch_mult")));
        assertEquals(0, dd.getList("attn_resolutions").size());
        assertEquals(Json.write(List.of(1L, 2L)), Json.write(p.getObject("unet_config").getObject("params").asMap().get("channel_mult")));
        assertThrows(CheckpointException.class, () -> LdmYaml.parse("bad.yaml", "a: &x 1\nb: *x\n"));
        assertThrows(CheckpointException.class, () -> LdmYaml.parse("bad.yaml", "a: 1\na: 2\n"));
    }

    @Test
    void yamlConfigGivesTheSameUnetAsTheJsonOne() throws Exception {
        Path yaml = tmp.resolve("tiny.yaml");
        Files.writeString(yaml, TINY);
        Config fromYaml = LdmConfig.read(yaml);
        Config json = Config.parse(Files.readString(caseDir("checkpoint.ldm.sd.ckpt").resolve("case.json")), "c")
                .getObject("config").getObject("ldm_original_config");
        Path f = caseDir("checkpoint.ldm.sd.ckpt").resolve("model.ckpt");
        try (Conversion a = LdmSingleFile.unet(Checkpoints.open(f), json); Conversion b = LdmSingleFile.unet(Checkpoints.open(f), fromYaml)) {
            Map<String, Object> ca = new java.util.LinkedHashMap<>(a.model().config()), cb = new java.util.LinkedHashMap<>(b.model().config());
            // norm groups are not in LDM yaml (CompVis hard-codes 32); the case's JSON says 8 in not_in_ldm_yaml
            assertEquals(8L, ca.remove("norm_num_groups"));
            assertEquals(32L, cb.remove("norm_num_groups"));
            assertEquals(Json.write(ca), Json.write(cb));
        }
    }

    @Test
    void longNumberLikeScalarsParseInLinearTime() throws Exception {
        // Found while reviewing the LdmYaml fuzz target: "a: 111...1x" backtracked quadratically in the float pattern.
        String digits = "1".repeat(1 << 16);
        Map<String, Object> m = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> LdmYaml.parse("long.yaml", "a: " + digits + "x\nb: " + digits + ".5e3\n"));
        assertEquals(digits + "x", m.get("a"));
        assertEquals(Double.parseDouble(digits + ".5e3"), m.get("b"));
    }
}
