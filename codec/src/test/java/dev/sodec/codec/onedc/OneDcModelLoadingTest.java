package dev.sodec.codec.onedc;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A OneDC model file whose config or tensors do not fit is refused with one line naming the key. */
class OneDcModelLoadingTest {
    @Test
    void configAndWeightDefectsAreNamed(@TempDir Path dir) throws Exception {
        Path file = OneDcTestModels.convert(dir, "m.safetensors", false);
        try (SafeTensors st = SafeTensors.open(file)) {
            Config cfg = CompressionModel.readConfig(st, file);
            OneDcConfig good = OneDcConfig.from(cfg);
            Map<String, Tensor> w = st.tensors();

            Map<String, Object> badArch = new LinkedHashMap<>(cfg.asMap());
            badArch.put("architecture", "sodec");
            assertMessage(() -> OneDcConfig.from(new Config(badArch, "t")), "architecture 'sodec'");
            Map<String, Object> badUnet = new LinkedHashMap<>(cfg.asMap());
            Map<String, Object> unet = new LinkedHashMap<>(cfg.getObject("unet").asMap());
            unet.put("in_channels", 7L);
            badUnet.put("unet", unet);
            assertMessage(() -> OneDcConfig.from(new Config(badUnet, "t")), "ctrl_ch");

            Map<String, Tensor> missing = new LinkedHashMap<>(w);
            missing.remove("codec.dec.conv_out.block.1.conv_out.bias");
            MissingWeightException e = assertThrows(MissingWeightException.class, () -> OneDcModel.fromWeights(missing, good, new byte[8], "m"));
            assertTrue(e.getMessage().contains("'codec.dec.conv_out.block.1.conv_out.bias'"), e.getMessage());
            Map<String, Tensor> extra = new LinkedHashMap<>(w);
            extra.put("codec.dec.unused", Tensor.zeros(1));
            e = assertThrows(MissingWeightException.class, () -> OneDcModel.fromWeights(extra, good, new byte[8], "m"));
            assertTrue(e.getMessage().contains("codec.dec.unused"), e.getMessage());
            Map<String, Tensor> shape = new LinkedHashMap<>(w);
            shape.put("unet.vae_reduction.short_cut.bias", Tensor.zeros(5));
            e = assertThrows(MissingWeightException.class, () -> OneDcModel.fromWeights(shape, good, new byte[8], "m"));
            assertTrue(e.getMessage().contains("unet.vae_reduction.short_cut.bias") && e.getMessage().contains("[5]"), e.getMessage());
        }
    }

    /** A decode-only file (no codec or VAE encoder) decodes but refuses to compress, naming what is missing. */
    @Test
    void decodeOnlyFilesRefuseToEncode(@TempDir Path dir) throws Exception {
        Path file = OneDcTestModels.convert(dir, "m.safetensors", false);
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, Tensor> w = new LinkedHashMap<>();
            Set<String> dropped = new LinkedHashSet<>();
            st.tensors().forEach((k, v) -> {
                if (k.startsWith("vae.encoder.") || k.startsWith("vae.quant_conv.")) dropped.add(k);
                else w.put(k, v);
            });
            assertTrue(!dropped.isEmpty());
            OneDcModel m = OneDcModel.fromWeights(w, OneDcConfig.from(CompressionModel.readConfig(st, file)), new byte[8], "m");
            assertTrue(!m.codec().networks().canEncode());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.codec().encode(null, null,
                    Tensor.zeros(1, 3, 64, 64), null, new dev.sodec.codec.onedc.format.OneDcGeometry(64, 64), false));
            assertTrue(e.getMessage().contains("VAE encoder"), e.getMessage());
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }
}
