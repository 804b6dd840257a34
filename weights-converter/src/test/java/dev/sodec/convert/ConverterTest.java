package dev.sodec.convert;

import static dev.sodec.convert.TestFiles.assertSameTensors;
import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The converter end to end: input checkpoint -> engine safetensors file, read back and checked. */
class ConverterTest {
    @TempDir
    Path tmp;

    private static Config caseConfig(String id) throws Exception {
        return Config.parse(Files.readString(caseDir(id).resolve("case.json")), id).getObject("config");
    }

    private static void assertConfigAgrees(Map<String, Object> expected, Config got, String what) {
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            assertEquals(Json.write(e.getValue()), Json.write(got.asMap().get(e.getKey())), what + " config key " + e.getKey());
        }
    }

    @Test
    void compressaiToEngineFileKeepsF32AndStoresConfig() throws Exception {
        Path out = tmp.resolve("cai.safetensors");
        Path in = caseDir("checkpoint.compressai.mbt2018_mean.legacy").resolve("model.pth.tar");
        Converter.convert(in, Converter.Options.of(Converter.Kind.AUTO), out, DType.F16);
        try (SafeTensors st = SafeTensors.open(out); Weights src = Checkpoints.open(in)) {
            assertEquals("1", st.metadata().get("format_version"));
            assertEquals("compressai.mbt2018_mean", st.metadata().get("model"));
            assertConfigAgrees(caseConfig("checkpoint.compressai.mbt2018_mean.legacy").asMap(),
                    Config.parse(st.metadata().get("config"), "meta"), "compressai");
            // entropy models must stay exact even when F16 is asked for
            assertSameTensors(src.tensors(), st.tensors(), "converted compressai");
        }
    }

    @Test
    void preUpdateCheckpointIsRefusedClearly() {
        Path in = caseDir("checkpoint.compressai.mbt2018_mean.train_preupdate").resolve("checkpoint.pth.tar");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Converter.convert(in, Converter.Options.of(Converter.Kind.AUTO), tmp.resolve("x.safetensors"), DType.F32));
        assertTrue(e.getMessage().startsWith("checkpoint.pth.tar: "), e.getMessage());
        assertTrue(e.getMessage().contains("update()"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("x.safetensors")));
    }

    @Test
    void clipBinAndSafetensorsConvertToTheSame5xNames() throws Exception {
        Path dir = caseDir("checkpoint.transformers.clip_vision.tiny");
        Path a = tmp.resolve("a.safetensors"), b = tmp.resolve("b.safetensors");
        Converter.convert(dir, Converter.Options.of(Converter.Kind.AUTO), a, DType.F32);
        Converter.convert(dir.resolve("pytorch_model.bin"), Converter.Options.of(Converter.Kind.CLIP_VISION), b, DType.F32);
        try (SafeTensors sa = SafeTensors.open(a); SafeTensors sb = SafeTensors.open(b); Weights src = Checkpoints.open(dir.resolve("model.safetensors"))) {
            assertSameTensors(sa.tensors(), sb.tensors(), "clip from .safetensors vs .bin");
            assertEquals("clip_vision", sa.metadata().get("model"));
            assertTrue(sa.contains("pre_layrnorm.weight") && !sa.contains("vision_model.pre_layrnorm.weight"));
            assertSameTensor(src.tensors().get("vision_model.encoder.layers.2.mlp.fc1.weight"), sa.get("encoder.layers.2.mlp.fc1.weight"));
            assertConfigAgrees(caseConfig("checkpoint.transformers.clip_vision.tiny").asMap(),
                    Config.parse(sa.metadata().get("config"), "meta"), "clip");
        }
    }

    private static void assertSameTensor(Tensor e, Tensor g) {
        TestFiles.assertSameTensor(e, g, "tensor");
    }

    @Test
    void unetF16AndBf16OutputsAreRoundedF32() throws Exception {
        Path dir = caseDir("checkpoint.diffusers.sd.tiny");
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            Path out = tmp.resolve("unet_" + dt + ".safetensors");
            Converter.convert(dir, Converter.Options.of(Converter.Kind.UNET), out, dt);
            try (SafeTensors st = SafeTensors.open(out); Weights src = Checkpoints.open(dir.resolve("unet/diffusion_pytorch_model.safetensors"))) {
                assertEquals(src.tensors().keySet(), st.tensors().keySet());
                assertConfigAgrees(caseConfig("checkpoint.diffusers.sd.tiny").getObject("unet").asMap(),
                        Config.parse(st.metadata().get("config"), "meta"), "unet");
                for (String k : src.tensors().keySet()) {
                    Tensor t = st.get(k);
                    assertEquals(dt, t.dtype(), k);
                    float[] s = src.tensors().get(k).toFloatArray(), g = t.toFloatArray();
                    for (int i = 0; i < s.length; i++) {
                        float exp = dt == DType.F16 ? Float.float16ToFloat(Float.floatToFloat16(s[i])) : bf16(s[i]);
                        assertEquals(exp, g[i], 0f, k + "[" + i + "]");
                    }
                }
            }
        }
    }

    /** Round-to-nearest-even to bfloat16, written out independently of the engine's conversion. */
    private static float bf16(float v) {
        int b = Float.floatToRawIntBits(v);
        int lsb = (b >> 16) & 1;
        int r = b + 0x7FFF + lsb;
        return Float.intBitsToFloat(r & 0xFFFF0000);
    }

    @Test
    void ldmFileNeedsAKindAndConvertsWithItsConfig() throws Exception {
        Path f = caseDir("checkpoint.ldm.sd.safetensors").resolve("model.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Converter.convert(f, Converter.Options.of(Converter.Kind.AUTO), tmp.resolve("x.safetensors"), DType.F32));
        assertTrue(e.getMessage().contains("--kind"), e.getMessage());
        // Without a config the heads of this tiny (non-SD-sized) UNet cannot be known: refused, not guessed.
        e = assertThrows(CheckpointException.class,
                () -> Converter.convert(f, Converter.Options.of(Converter.Kind.UNET), tmp.resolve("x.safetensors"), DType.F32));
        assertTrue(e.getMessage().contains("attention heads"), e.getMessage());
        // The VAE needs nothing the weights do not say (groups default to LDM's 32 and are not checkable from shapes)
        Config ldm = Config.parse(Files.readString(caseDir("checkpoint.ldm.sd.safetensors").resolve("case.json")), "c")
                .getObject("config").getObject("ldm_original_config");
        Path out = tmp.resolve("vae.safetensors");
        Converter.convert(f, new Converter.Options(Converter.Kind.VAE_DECODER, List.of(), ldm), out, DType.F32);
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("vae_decoder", st.metadata().get("model"));
            assertTrue(st.contains("decoder.mid_block.attentions.0.to_q.weight"));
            assertTrue(st.names().stream().noneMatch(k -> k.startsWith("encoder.")));
        }
    }

    @Test
    void configThatDoesNotDescribeTheWeightsNamesTheKey() throws Exception {
        Path src = caseDir("checkpoint.diffusers.sd.tiny").resolve("unet");
        Path dir = Files.createDirectories(tmp.resolve("unet"));
        Files.copy(src.resolve("diffusion_pytorch_model.safetensors"), dir.resolve("diffusion_pytorch_model.safetensors"));
        String cfg = Files.readString(src.resolve("config.json")).replace("\"cross_attention_dim\": 24", "\"cross_attention_dim\": 32");
        Files.writeString(dir.resolve("config.json"), cfg);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Converter.convert(dir, Converter.Options.of(Converter.Kind.AUTO), tmp.resolve("x.safetensors"), DType.F32));
        assertTrue(e.getMessage().contains("attn2.to_k.weight") && e.getMessage().contains("[16, 24]"), e.getMessage());
    }

    @Test
    void loraMergeThroughTheConverterChangesOnlyTargets() throws Exception {
        Path dir = caseDir("checkpoint.diffusers.sd.tiny");
        Path lora = caseDir("checkpoint.lora_unet.peft").resolve("pytorch_lora_weights.safetensors");
        Path out = tmp.resolve("merged.safetensors");
        Converter.convert(dir.resolve("unet"), new Converter.Options(Converter.Kind.UNET,
                List.of(new Converter.LoraSpec(lora, 1.0)), null), out, DType.F32);
        try (SafeTensors st = SafeTensors.open(out); Weights base = Checkpoints.open(dir.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            int changed = 0;
            for (String k : base.tensors().keySet()) {
                boolean target = k.contains(".attn1.to_") || k.contains(".attn2.to_");
                boolean same = java.util.Arrays.equals(base.tensors().get(k).toFloatArray(), st.get(k).toFloatArray());
                if (target && k.endsWith(".weight")) {
                    assertTrue(!same, k + " not merged");
                    changed++;
                } else {
                    assertTrue(same, k + " changed");
                }
            }
            assertEquals(48, changed);
            assertTrue(st.metadata().get("source").contains("LoRA pytorch_lora_weights.safetensors"));
        }
    }

    @Test
    void sodecAssemblyPrefixesEachPart() throws Exception {
        Map<String, dev.sodec.convert.model.Conversion> parts = new LinkedHashMap<>();
        parts.put("compression", Converter.open(caseDir("checkpoint.compressai.mbt2018_mean.zip").resolve("model.pth.tar"),
                Converter.Options.of(Converter.Kind.AUTO)));
        parts.put("unet", Converter.open(caseDir("checkpoint.diffusers.sd.tiny"), Converter.Options.of(Converter.Kind.UNET)));
        parts.put("vae", Converter.open(caseDir("checkpoint.diffusers.sd.tiny"), Converter.Options.of(Converter.Kind.VAE_DECODER)));
        parts.put("vit", Converter.open(caseDir("checkpoint.transformers.clip_vision.tiny"), Converter.Options.of(Converter.Kind.AUTO)));
        Path golden = Path.of(System.getProperty("sodec.shared")).resolve("golden/pipeline.sodec/weights.safetensors");
        for (String p : List.of("hs", "ts", "proj")) parts.put(p, Converter.rawPart(golden, p));
        Path out = tmp.resolve("sodec.safetensors");
        try (var c = Converter.assembleSodec(parts, Map.of())) {
            dev.sodec.convert.write.EngineWriter.write(c.model(), out, DType.F16, c.source());
        }
        try (SafeTensors st = SafeTensors.open(out)) {
            Config cfg = Config.parse(st.metadata().get("config"), "meta");
            assertEquals(16, cfg.getInt("N"));
            assertEquals(24, cfg.getInt("cross_dim"));
            // the golden pipeline's config says C 32, Cl 16 for these hs/ts weights
            Config gc = Config.parse(Files.readString(golden.resolveSibling("case.json")), "golden").getObject("config");
            assertEquals(gc.getInt("C"), cfg.getInt("C"));
            assertEquals(gc.getInt("Cl"), cfg.getInt("Cl"));
            try (SafeTensors g = SafeTensors.open(golden)) {
                TestFiles.assertSameTensor(g.get("hs.2.weight").toFloatType(DType.F16), st.get("hs.2.weight"), "hs.2.weight");
                assertEquals(DType.F16, st.get("proj.linear.weight").dtype());
            }
            assertEquals(DType.F32, st.get("compression.g_a.0.weight").dtype());
            assertEquals(DType.I32, st.get("compression.entropy_bottleneck._quantized_cdf").dtype());
            assertEquals(DType.F16, st.get("unet.conv_in.weight").dtype());
            assertEquals(DType.F16, st.get("vit.post_layernorm.weight").dtype());
            assertTrue(st.contains("vae.decoder.conv_out.weight") && !st.contains("vae.encoder.conv_in.weight"));
            for (String p : List.of("compression.", "unet.", "vae.", "vit.")) {
                assertTrue(st.names().stream().anyMatch(k -> k.startsWith(p)), p);
            }
            try (Stream<String> s = st.names().stream()) {
                assertTrue(s.allMatch(k -> List.of("compression", "unet", "vae", "vit", "hs", "ts", "proj").contains(k.substring(0, k.indexOf('.')))));
            }
        }
    }
}
