package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import dev.sodec.engine.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** A checkpoint saved before update() converts by default, with CompressAI's update(force=True) tables exactly. */
    @Test
    void preUpdateCheckpointGetsCompressAisTables() throws Exception {
        Path dir = CK.resolve("checkpoint.compressai.mbt2018_mean.train_preupdate");
        Path out = tmp.resolve("pre.safetensors");
        run(0, "convert", dir.resolve("checkpoint.pth.tar").toString(), "-o", out.toString());
        try (SafeTensors st = SafeTensors.open(out); SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"))) {
            for (String k : dev.sodec.convert.compressai.CompressAi.TABLE_KEYS) {
                if (k.endsWith("scale_table")) assertArrayEquals(io.get("out." + k).toFloatArray(), st.get(k).toFloatArray(), k);
                else assertArrayEquals(io.get("out." + k).toIntArray(), st.get(k).toIntArray(), k);
            }
        }
    }

    /**
     * --build-entropy-tables rebuilds the tables a file already has: for the post-update zip file (tables made by
     * update(force=True) from the same parameters) the rebuilt file is identical; for a file whose stored table is
     * stale (here: tampered) the stale table is replaced.
     */
    @Test
    void buildEntropyTablesRebuildsStoredTables() throws Exception {
        Path zip = CK.resolve("checkpoint.compressai.mbt2018_mean.zip/model.pth.tar");
        Path kept = tmp.resolve("kept.safetensors"), rebuilt = tmp.resolve("rebuilt.safetensors");
        run(0, "convert", zip.toString(), "-o", kept.toString());
        run(0, "convert", zip.toString(), "--build-entropy-tables", "-o", rebuilt.toString());
        try (SafeTensors a = SafeTensors.open(kept); SafeTensors b = SafeTensors.open(rebuilt)) {
            for (String k : dev.sodec.convert.compressai.CompressAi.TABLE_KEYS) {
                assertEquals(a.get(k).dtype(), b.get(k).dtype(), k);
                if (a.get(k).dtype() == DType.I32) assertArrayEquals(a.get(k).toIntArray(), b.get(k).toIntArray(), k);
                else assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
            }
        }
        // a stale table (one CDF entry changed) in an otherwise identical safetensors file
        Map<String, Tensor> w = new LinkedHashMap<>();
        try (SafeTensors a = SafeTensors.open(kept)) {
            for (String k : a.names()) {
                Tensor t = a.get(k);
                w.put(k, t.dtype() == DType.I32 ? Tensor.fromInts(t.toIntArray(), t.shape()) : Tensor.fromFloats(t.toFloatArray(), t.shape()));
            }
            int[] cdf = w.get("entropy_bottleneck._quantized_cdf").toIntArray();
            cdf[1] += 1;
            w.put("entropy_bottleneck._quantized_cdf", Tensor.fromInts(cdf, w.get("entropy_bottleneck._quantized_cdf").shape()));
            Path stale = tmp.resolve("stale.safetensors");
            SafeTensorsWriter.write(stale, w, a.metadata());
            Path fixed = tmp.resolve("fixed.safetensors");
            run(0, "convert", stale.toString(), "--build-entropy-tables", "-o", fixed.toString());
            try (SafeTensors f = SafeTensors.open(fixed)) {
                assertArrayEquals(a.get("entropy_bottleneck._quantized_cdf").toIntArray(), f.get("entropy_bottleneck._quantized_cdf").toIntArray());
            }
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
