package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
    private static final Path CK = Path.of(System.getProperty("sodec.shared")).resolve("checkpoints");

    @TempDir
    Path tmp;

    private static String[] run(int expectRc, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(err, true));
        String e = err.toString();
        assertEquals(expectRc, rc, e);
        return e.isEmpty() ? new String[0] : e.split("\n");
    }

    @Test
    void brokenFilesGiveOneLine() {
        for (String f : new String[] {"truncated.pth.tar", "unsafe_pickle.pth", "overlap.safetensors", "past_eof.safetensors",
                "header_too_long.safetensors"}) {
            String[] lines = run(1, "convert", CK.resolve("broken").resolve(f).toString(), "-o", tmp.resolve("x.safetensors").toString());
            assertEquals(1, lines.length, String.join("\n", lines));
            assertTrue(lines[0].startsWith("sodec convert: " + f + ": "), lines[0]);
            assertTrue(!Files.exists(tmp.resolve("x.safetensors")));
        }
    }

    @Test
    void usageErrors() {
        assertTrue(run(2, "convert", "x")[0].contains("-o OUT is required"));
        assertTrue(run(2, "convert", "x", "-o", "y", "--dtype", "F8")[0].contains("--dtype must be F32, F16 or BF16"));
        assertTrue(run(2, "convert", "x", "-o", "y", "--kind", "foo")[0].contains("unknown model kind"));
    }

    @Test
    void convertsAnLdmVaeWithItsConfigToBf16() throws Exception {
        Path ldmCfg = tmp.resolve("ldm.json");
        String caseJson = Files.readString(CK.resolve("checkpoint.ldm.sd.ckpt/case.json"));
        var cfg = dev.sodec.engine.json.Config.parse(caseJson, "case").getObject("config").getObject("ldm_original_config");
        Files.writeString(ldmCfg, cfg.toString());
        Path out = tmp.resolve("unet.safetensors");
        run(0, "convert", CK.resolve("checkpoint.ldm.sd.ckpt/model.ckpt").toString(), "--kind", "unet", "--ldm-config",
                ldmCfg.toString(), "--dtype", "bf16", "-o", out.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("unet2d_condition", st.metadata().get("model"));
            assertEquals(DType.BF16, st.get("conv_in.weight").dtype());
            assertTrue(st.metadata().get("config").contains("\"attention_head_dim\":[2,4]"), st.metadata().get("config"));
        }
    }

    @Test
    void preUpdateCheckpointIsRefusedUnlessTablesAreBuiltOnRequest() throws Exception {
        Path dir = CK.resolve("checkpoint.compressai.mbt2018_mean.train_preupdate");
        Path out = tmp.resolve("pre.safetensors");
        String[] refused = run(1, "convert", dir.resolve("checkpoint.pth.tar").toString(), "-o", out.toString());
        assertEquals(1, refused.length);
        assertTrue(refused[0].contains("saved before CompressAI's update()") && refused[0].contains("--build-entropy-tables"), refused[0]);
        assertTrue(!Files.exists(out));

        run(0, "convert", dir.resolve("checkpoint.pth.tar").toString(), "--build-entropy-tables", "-o", out.toString());
        try (SafeTensors st = SafeTensors.open(out); SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"))) {
            // The Gaussian tables depend only on the scale table and must be exact.
            for (String k : new String[] {"gaussian_conditional._quantized_cdf", "gaussian_conditional._offset",
                    "gaussian_conditional._cdf_length", "entropy_bottleneck._offset", "entropy_bottleneck._cdf_length"}) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(io.get("out." + k).toIntArray(), st.get(k).toIntArray(), k);
            }
            // The bottleneck CDFs come from float32 tanh/exp of learned parameters; CompressAI's own math library rounds a
            // handful of near-tie probabilities differently (documented in the checkpoint notes), each by one count.
            int[] exp = io.get("out.entropy_bottleneck._quantized_cdf").toIntArray();
            int[] got = st.get("entropy_bottleneck._quantized_cdf").toIntArray();
            assertEquals(exp.length, got.length);
            int differ = 0;
            for (int i = 0; i < exp.length; i++) {
                if (exp[i] != got[i]) {
                    differ++;
                    assertTrue(Math.abs(exp[i] - got[i]) <= 1, "entry " + i + ": " + got[i] + " vs " + exp[i]);
                }
            }
            assertTrue(differ <= 8, differ + " bottleneck CDF entries differ");
        }
    }

    // ---- OneDC (--onedc): the release layout to one model file ----

    private static final Path ONEDC = CK.resolve("onedc/checkpoint.onedc.release.tiny_100x130");

    @Test
    void convertsAOneDcReleaseToBf16WithTheScheduleInTheConfig() throws Exception {
        Path out = tmp.resolve("onedc.safetensors");
        run(0, "convert", "--onedc", ONEDC.resolve("release").toString(), "--unet-config", ONEDC.resolve("sd15_unet").toString(),
                "--vae", ONEDC.resolve("sd21_vae").toString(), "--scheduler-config", ONEDC.resolve("sd15_scheduler").toString(),
                "--dtype", "bf16", "-o", out.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("onedc", st.metadata().get("model"));
            assertEquals(DType.BF16, st.get("unet.conv_in.weight").dtype());
            assertEquals(DType.F32, st.get("codec.y_spatial_prior.0.block.0.conv2.weight").dtype());
            Config cfg = Config.parse(st.metadata().get("config"), "config");
            Config caseJson = Config.parse(Files.readString(ONEDC.resolve("case.json")), "case.json");
            // float32 alpha_bar of diffusers' scaled_linear schedule, as the case pins it
            assertEquals(caseJson.getDouble("abar_999"), cfg.getDouble("alpha_bar"));
        }
    }

    @Test
    void aBrokenOneDcReleaseIsOneLineAndWritesNothing() throws Exception {
        Path release = Files.createDirectories(tmp.resolve("rel"));
        Files.copy(ONEDC.resolve("release/model.safetensors"), release.resolve("model.safetensors"));
        Path out = tmp.resolve("x.safetensors");
        String[] lines = run(1, "convert", "--onedc", release.toString(), "--unet-config", ONEDC.resolve("sd15_unet/config.json").toString(),
                "--vae", ONEDC.resolve("sd21_vae").toString(), "-o", out.toString());
        assertEquals(1, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("sodec convert: ") && lines[0].contains("model_1.safetensors: no such file"), lines[0]);
        assertFalse(Files.exists(out));
    }

    @Test
    void oneDcUsageErrors() {
        assertTrue(run(2, "convert", "--onedc", "r", "-o", "y")[0].contains("--unet-config"));
        assertTrue(run(2, "convert", "--vae", "v", "-o", "y")[0].contains("need --onedc"));
        assertTrue(run(2, "convert", "--onedc", "r", "x.pth", "-o", "y")[0].contains("takes no INPUT"));
        assertTrue(run(2, "convert", "--onedc", "r", "--lora-alpha", "big", "-o", "y")[0].contains("expects a number"));
    }
}
