package dev.sodec.convert.lora;

import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** LoRA key schemes resolve to the modules case.json lists, and the merge matches an independent computation. */
class LoraTest {
    private static final Path BASE = caseDir("checkpoint.diffusers.sd.tiny").resolve("unet/diffusion_pytorch_model.safetensors");

    private static Set<String> modules(Weights base) {
        Set<String> s = new HashSet<>();
        for (String k : base.tensors().keySet()) if (k.endsWith(".weight")) s.add(k.substring(0, k.length() - 7));
        return s;
    }

    private static Config caseJson(String id) throws Exception {
        return Config.parse(Files.readString(caseDir(id).resolve("case.json")), id);
    }

    @Test
    void peftAlphaComesFromAdapterMetadata() throws Exception {
        Config lora = caseJson("checkpoint.lora_unet.peft").getObject("checkpoint").getObject("lora");
        try (Weights base = Checkpoints.open(BASE);
             Weights w = Checkpoints.open(caseDir("checkpoint.lora_unet.peft").resolve("pytorch_lora_weights.safetensors"))) {
            List<LoraModule> mods = Lora.read(w, modules(base), null);
            Set<String> got = new HashSet<>();
            for (LoraModule m : mods) {
                got.add(m.module());
                assertEquals(lora.getInt("rank"), m.rank(), m.module());
                assertEquals(lora.getDouble("alpha"), m.alpha(), m.module());
                assertEquals(lora.getDouble("alpha") / lora.getInt("rank"), m.factor(), 0, m.module());
            }
            assertEquals(new HashSet<>(lora.getStringList("targets")), got);
        }
    }

    @Test
    void kohyaNamesResolveAgainstTheUnetModules() throws Exception {
        Config lora = caseJson("checkpoint.lora_unet.kohya").getObject("checkpoint").getObject("lora");
        try (Weights base = Checkpoints.open(BASE);
             Weights w = Checkpoints.open(caseDir("checkpoint.lora_unet.kohya").resolve("lora_kohya.safetensors"))) {
            Map<String, LoraModule> byModule = new HashMap<>();
            for (LoraModule m : Lora.read(w, modules(base), null)) byModule.put(m.module(), m);
            List<Object> targets = lora.getList("targets");
            assertEquals(targets.size(), byModule.size());
            for (Object o : targets) {
                Config t = new Config((Map<String, Object>) o, "target");
                LoraModule m = byModule.get(t.getString("module"));
                assertTrue(m != null, "kohya key " + t.getString("key") + " not resolved to " + t.getString("module"));
                assertEquals(t.getInt("rank"), m.rank(), t.getString("module"));
                assertEquals(t.getDouble("alpha"), m.alpha(), 0, t.getString("module"));
                assertEquals(!t.getBool("has_alpha_tensor"), m.alphaDefaulted(), t.getString("module"));
            }
        }
    }

    /** Naive double-precision W + s*(alpha/r)*B@A with explicit 4-D indexing (no reshape), for comparison. */
    private static double[] reference(Tensor w, Tensor down, Tensor up, double scale, double alpha) {
        float[] wv = w.toFloatArray(), a = down.toFloatArray(), b = up.toFloatArray();
        int[] ws = w.shape();
        int out = ws[0], in = ws[1], kh = ws.length == 4 ? ws[2] : 1, kw = ws.length == 4 ? ws[3] : 1;
        int r = down.dim(0);
        double[] res = new double[wv.length];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++) {
                        double s = 0;
                        for (int k = 0; k < r; k++) s += (double) b[o * r + k] * a[((k * in + i) * kh + y) * kw + x];
                        int idx = ((o * in + i) * kh + y) * kw + x;
                        res[idx] = wv[idx] + scale * (alpha / r) * s;
                    }
        return res;
    }

    @Test
    void mergeMatchesAnIndependentComputation() throws Exception {
        try (Weights base = Checkpoints.open(BASE);
             Weights w = Checkpoints.open(caseDir("checkpoint.lora_unet.kohya").resolve("lora_kohya.safetensors"))) {
            List<LoraModule> mods = Lora.read(w, modules(base), null);
            Map<String, Pending> pend = new LinkedHashMap<>();
            base.tensors().forEach((k, v) -> pend.put(k, Pending.of(v)));
            double scale = 0.5;
            Map<String, Pending> merged = LoraMerge.apply(pend, mods, scale, "test");
            int checked = 0;
            Set<String> targeted = new HashSet<>();
            for (LoraModule m : mods) {
                String key = m.module() + ".weight";
                targeted.add(key);
                Tensor got = merged.get(key).data().get();
                Tensor orig = base.tensors().get(key);
                double[] ref = reference(orig, m.down(), m.up(), scale, m.alpha());
                float[] g = got.toFloatArray();
                double maxDelta = 0;
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], g[i], 1e-5 * Math.max(1, Math.abs(ref[i])), key + "[" + i + "]");
                    maxDelta = Math.max(maxDelta, Math.abs(ref[i] - orig.toFloatArray()[i]));
                }
                assertTrue(maxDelta > 1e-4, key + ": the LoRA changed nothing");
                checked++;
            }
            assertEquals(mods.size(), checked);
            for (String k : base.tensors().keySet()) {
                if (!targeted.contains(k)) assertTrue(merged.get(k).data().get() == base.tensors().get(k), k + " was touched");
            }
        }
    }
}
