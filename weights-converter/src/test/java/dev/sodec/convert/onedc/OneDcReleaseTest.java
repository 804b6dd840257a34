package dev.sodec.convert.onedc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.TestFiles;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OneDC release of ../shared/checkpoints/onedc (a tiny model in the real release layout) through the converter:
 * every key kept under its part's prefix, the LoRA merge equal to W + (alpha / r) B A computed here in double
 * precision, the config the case's, and broken copies (missing file, wrong key, wrong shape, ...) refused with one
 * line naming the file and the key.
 */
class OneDcReleaseTest {
    private static final Path CASE = TestFiles.checkpoints().resolve("onedc").resolve("checkpoint.onedc.release.tiny_100x130");

    @TempDir
    Path tmp;

    private static Conversion open(Path release, Path unetConfig, Path vae) throws IOException {
        OneDcRelease.Options d = OneDcRelease.Options.defaults();
        return OneDcRelease.open(release, unetConfig, vae, new OneDcRelease.Options(d.loraAlpha(), d.attnPatch(), d.fsqLevels(),
                false, CASE.resolve("sd15_scheduler/scheduler_config.json"), Map.of()));
    }

    private static Conversion open(Path release) throws IOException {
        return open(release, CASE.resolve("sd15_unet/config.json"), CASE.resolve("sd21_vae"));
    }

    @Test
    void convertsTheReleaseWithLoraMerged() throws Exception {
        Path out = tmp.resolve("onedc.safetensors");
        try (Conversion c = open(CASE.resolve("release"))) {
            EngineWriter.write(c.model(), out, DType.F32, c.source());
        }
        Config caseCfg = Config.parse(Files.readString(CASE.resolve("case.json")), "case.json").getObject("config");
        try (SafeTensors st = SafeTensors.open(out);
             SafeTensors unet = SafeTensors.open(CASE.resolve("release/model.safetensors"));
             SafeTensors codec = SafeTensors.open(CASE.resolve("release/model_1.safetensors"));
             SafeTensors vae = SafeTensors.open(CASE.resolve("sd21_vae/diffusion_pytorch_model.safetensors"))) {
            assertEquals("onedc", st.metadata().get("model"));
            Config cfg = Config.parse(st.metadata().get("config"), "config");
            assertEquals("onedc", cfg.getString("architecture"));
            assertEquals(caseCfg.getObject("codec").asMap(), cfg.getObject("codec").asMap(), "codec config read from the shapes");
            assertEquals(caseCfg.getDouble("lora_scale"), cfg.getObject("lora").getDouble("scale"));
            assertEquals(caseCfg.getObject("lora_config").getInt("lora_rank"), cfg.getObject("lora").getInt("rank"));
            assertEquals(caseCfg.getInt("vae_attn_patch"), cfg.getObject("vae").getInt("attn_patch"));
            assertEquals(caseCfg.getDouble("scaling_factor"), cfg.getDouble("scaling_factor"));
            assertEquals(caseCfg.getInt("conditioning_timestep"), cfg.getInt("timestep"));
            assertEquals(caseCfg.getInt("unet_in_ch"), cfg.getObject("unet").getInt("in_channels"), "conv_in takes the codec's ctrl channels");
            assertEquals(4, cfg.getInt("unet_latent_channels"));

            // codec and VAE: every tensor, bit for bit, under its prefix
            for (String k : codec.names()) TestFiles.assertSameTensor(codec.get(k), st.get("codec." + k), k);
            for (String k : vae.names()) TestFiles.assertSameTensor(vae.get(k), st.get("vae." + k), k);
            // UNet: plain keys bit for bit, base_layer keys unwrapped, LoRA merged
            int merged = 0, plain = 0;
            double scale = caseCfg.getDouble("lora_scale");
            for (String k : unet.names()) {
                if (k.contains(".lora_")) continue;
                if (!k.contains(".base_layer.")) {
                    TestFiles.assertSameTensor(unet.get(k), st.get("unet." + k), k);
                    plain++;
                    continue;
                }
                String name = k.replace(".base_layer.", ".");
                if (k.endsWith(".bias")) {
                    TestFiles.assertSameTensor(unet.get(k), st.get("unet." + name), k);
                    continue;
                }
                String m = k.substring(0, k.indexOf(".base_layer."));
                assertMerged(unet.get(k), unet.get(m + ".lora_A.default.weight"), unet.get(m + ".lora_B.default.weight"), scale,
                        st.get("unet." + name), m);
                merged++;
            }
            assertEquals(78, merged);
            assertTrue(plain > 0);
            assertEquals(codec.names().size() + vae.names().size() + unet.names().size() - 2 * merged, st.names().size(),
                    "nothing added, the LoRA pairs removed");
        }
    }

    /** W + scale * reshape(B.reshape(out, r) @ A.reshape(r, -1)), computed in double. */
    private static void assertMerged(Tensor w, Tensor a, Tensor b, double scale, Tensor got, String what) {
        assertEquals(DType.F32, got.dtype());
        assertArrayEquals(w.shape(), got.shape(), what);
        float[] wv = w.toFloatArray(), av = a.toFloatArray(), bv = b.toFloatArray(), g = got.toFloatArray();
        int out = w.dim(0), r = a.dim(0), in = wv.length / out;
        assertEquals(r * in, av.length, what + ": A");
        double maxDelta = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double d = 0, mag = 0;
                for (int k = 0; k < r; k++) {
                    d += (double) bv[o * r + k] * av[k * in + i];
                    mag += Math.abs((double) bv[o * r + k] * av[k * in + i]);
                }
                double exp = wv[o * in + i] + scale * d;
                double tol = 1e-6 * (Math.abs(wv[o * in + i]) + scale * mag) + 1e-30;
                assertEquals(exp, g[o * in + i], tol, what + " [" + o + "," + i + "]");
                maxDelta = Math.max(maxDelta, Math.abs(scale * d));
            }
        }
        assertTrue(maxDelta > 0, what + ": the LoRA changes the weight");
    }

    @Test
    void narrowDtypesKeepTheEntropyNetworksF32() throws Exception {
        Path out = tmp.resolve("onedc16.safetensors");
        try (Conversion c = open(CASE.resolve("release"))) {
            EngineWriter.write(c.model(), out, DType.F16, c.source());
        }
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals(DType.F32, st.get("codec.y_spatial_prior_reduction.weight").dtype());
            assertEquals(DType.F32, st.get("codec.hyper_dec.feat_in.0.weight").dtype());
            assertEquals(DType.F32, st.get("codec.y_prior_fusion.0.block.0.conv2.weight").dtype());
            assertEquals(DType.F16, st.get("codec.dec.conv_out.block.0.conv2.weight").dtype());
            assertEquals(DType.F16, st.get("unet.conv_in.weight").dtype());
            assertEquals(DType.F16, st.get("vae.decoder.conv_in.weight").dtype());
        }
    }

    // ---- broken releases, made here from copies of the case ----

    /** A copy of the release with one file rewritten by {@code edit} (null deletes it). */
    private Path brokenRelease(String file, Consumer<Map<String, Tensor>> edit) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "release");
        for (String f : new String[] {OneDcRelease.UNET_FILE, OneDcRelease.CODEC_FILE}) {
            Path src = CASE.resolve("release").resolve(f);
            if (!f.equals(file)) {
                Files.copy(src, dir.resolve(f));
            } else if (edit != null) {
                try (SafeTensors st = SafeTensors.open(src)) {
                    Map<String, Tensor> t = new LinkedHashMap<>(st.tensors());
                    edit.accept(t);
                    SafeTensorsWriter.write(dir.resolve(f), t, Map.of("format", "pt"));
                }
            }
        }
        return dir;
    }

    private static String refused(Path release) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> open(release).close());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void missingPartsAreNamed() throws Exception {
        String m = refused(brokenRelease(OneDcRelease.CODEC_FILE, null));
        assertTrue(m.contains("model_1.safetensors: no such file"), m);
        Path ok = brokenRelease("none", null);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> open(ok, tmp.resolve("nope/config.json"), CASE.resolve("sd21_vae")).close());
        assertTrue(e.getMessage().contains("config.json: no such file"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> open(ok, CASE.resolve("sd15_unet/config.json"), tmp.resolve("novae")).close());
        assertTrue(e.getMessage().contains("novae: no such folder"), e.getMessage());
        // the VAE config without its weights
        Path vae = Files.createDirectories(tmp.resolve("vae"));
        Files.copy(CASE.resolve("sd21_vae/config.json"), vae.resolve("config.json"));
        e = assertThrows(CheckpointException.class, () -> open(ok, CASE.resolve("sd15_unet/config.json"), vae).close());
        assertTrue(e.getMessage().contains("diffusion_pytorch_model"), e.getMessage());
    }

    @Test
    void aWrongKeyIsNamed() throws Exception {
        String m = refused(brokenRelease(OneDcRelease.CODEC_FILE, t -> t.put("dec.conv_out.block.1.convx.weight",
                t.remove("dec.conv_out.block.1.conv.weight"))));
        assertTrue(m.startsWith("model_1.safetensors: ") && m.contains("dec.conv_out.block.1.conv.weight"), m);
        m = refused(brokenRelease(OneDcRelease.CODEC_FILE, t -> t.put("enc.extra.weight", Tensor.fromFloats(new float[1], 1))));
        assertTrue(m.startsWith("model_1.safetensors: ") && m.contains("enc.extra.weight"), m);
        m = refused(brokenRelease(OneDcRelease.UNET_FILE, t -> t.remove("down_blocks.0.resnets.0.conv1.lora_B.default.weight")));
        assertTrue(m.startsWith("model.safetensors: ") && m.contains("down_blocks.0.resnets.0.conv1.lora_B"), m);
        m = refused(brokenRelease(OneDcRelease.UNET_FILE, t -> t.remove("vae_reduction.short_cut.weight")));
        assertTrue(m.startsWith("model.safetensors: ") && m.contains("vae_reduction.short_cut.weight"), m);
        m = refused(brokenRelease(OneDcRelease.UNET_FILE, t -> t.put("conv_in.lora_A.other.weight", Tensor.fromFloats(new float[1], 1))));
        assertTrue(m.startsWith("model.safetensors: ") && m.contains("conv_in.lora_A.other.weight"), m);
    }

    @Test
    void aWrongShapeIsNamed() throws Exception {
        String m = refused(brokenRelease(OneDcRelease.CODEC_FILE, t -> t.put("hyper_enc.fusion.1.q.weight",
                Tensor.fromFloats(new float[32 * 16], 16, 32, 1, 1))));
        assertTrue(m.startsWith("model_1.safetensors: ") && m.contains("hyper_enc.fusion.1.q.weight"), m);
        m = refused(brokenRelease(OneDcRelease.UNET_FILE, t -> t.put("up_blocks.1.attentions.0.proj_in.lora_A.default.weight",
                Tensor.fromFloats(new float[64 * 16], 64, 16, 1, 1))));
        assertTrue(m.startsWith("model.safetensors: ") && m.contains("up_blocks.1.attentions.0.proj_in"), m);
        m = refused(brokenRelease(OneDcRelease.UNET_FILE, t -> t.put("conv_norm_out.weight", Tensor.fromFloats(new float[16], 16))));
        assertTrue(m.startsWith("model.safetensors: ") && m.contains("conv_norm_out.weight"), m);
        // conv_in must take what the codec's decoder gives
        m = refused(brokenRelease(OneDcRelease.UNET_FILE, t -> t.put("conv_in.weight", Tensor.fromFloats(new float[32 * 16 * 9], 32, 16, 3, 3))));
        assertTrue(m.startsWith("model.safetensors: ") && m.contains("conv_in.weight"), m);
    }

    @Test
    void aVaeWithTheOldAttentionNamesIsRenamedLikeDiffusersDoes() throws Exception {
        // the SD 2.x Hub VAEs were saved before diffusers 0.14: query/key/value/proj_attn, here also as 1x1 convs
        Path vae = Files.createDirectories(tmp.resolve("old_vae"));
        Files.copy(CASE.resolve("sd21_vae/config.json"), vae.resolve("config.json"));
        Map<String, String> old = Map.of("to_q", "query", "to_k", "key", "to_v", "value", "to_out.0", "proj_attn");
        try (SafeTensors st = SafeTensors.open(CASE.resolve("sd21_vae/diffusion_pytorch_model.safetensors"))) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            for (String k : st.names()) {
                String n = k;
                Tensor v = st.get(k);
                for (Map.Entry<String, String> e : old.entrySet()) {
                    String from = ".attentions.0." + e.getKey() + ".";
                    if (k.contains(".mid_block" + from)) {
                        n = k.replace(from, ".attentions.0." + e.getValue() + ".");
                        if (v.rank() == 2) v = v.reshape(v.dim(0), v.dim(1), 1, 1);
                    }
                }
                t.put(n, v);
            }
            SafeTensorsWriter.write(vae.resolve("diffusion_pytorch_model.safetensors"), t, Map.of("format", "pt"));
        }
        Path out = tmp.resolve("onedc_old_vae.safetensors");
        try (Conversion c = open(CASE.resolve("release"), CASE.resolve("sd15_unet/config.json"), vae)) {
            EngineWriter.write(c.model(), out, DType.F32, c.source());
        }
        try (SafeTensors st = SafeTensors.open(out);
             SafeTensors ref = SafeTensors.open(CASE.resolve("sd21_vae/diffusion_pytorch_model.safetensors"))) {
            for (String k : ref.names()) TestFiles.assertSameTensor(ref.get(k), st.get("vae." + k), k);
        }
    }
}
