package dev.sodec.codec.conformance;

import dev.sodec.convert.Converter;
import dev.sodec.convert.model.ConfigMeaning;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conformance kinds of ../shared/checkpoints: convert the case's checkpoint file(s) on the fly with the weights
 * converter (to a temporary engine safetensors file, exactly what {@code sodec convert} writes), then run the
 * converted model as the golden kind the case names ({@code runs_as}, or each entry of {@code models}), looked up
 * in the same {@link Kinds} registry. A checkpoint kind is registered only when the golden kinds it delegates to
 * are, so until those exist its cases report "unsupported kind" (SKIP) rather than failing; call
 * {@link #register} after the other registrars.
 */
public final class CheckpointKinds {
    private CheckpointKinds() {}

    /** Checkpoint kind -> the golden kinds its cases run as. */
    private static final Map<String, List<String>> DELEGATES = Map.of(
            "checkpoint.compressai.mbt2018_mean", List.of("model.compressai.mbt2018_mean"),
            "checkpoint.transformers.clip_vision", List.of("model.clip_vision"),
            "checkpoint.diffusers.sd", List.of("model.unet2d_condition", "model.vae_decoder"),
            "checkpoint.ldm.sd", List.of("model.unet2d_condition", "model.vae_decoder"),
            "checkpoint.lora_unet", List.of("model.unet2d_condition"));

    public static void register(Kinds k) {
        for (Map.Entry<String, List<String>> e : DELEGATES.entrySet()) {
            if (e.getValue().stream().allMatch(d -> k.get(d) != null)) k.register(e.getKey(), (c, b) -> run(k, c, b));
        }
    }

    static Map<String, Tensor> run(Kinds kinds, GoldenCase c, Backend backend) throws Exception {
        Config ck = c.json().getObject("checkpoint");
        if (c.json().has("models")) return runModels(kinds, c, backend, ck);
        String runsAs = c.json().getString("runs_as");
        if (c.kind().equals("checkpoint.lora_unet")) return runLora(kinds, c, backend, ck, runsAs);
        // Single-model case: every weight file of the case must convert to the same engine weights; the first runs.
        List<Path> inputs = weightInputs(c, ck);
        Converter.Kind kind = c.kind().startsWith("checkpoint.compressai") ? Converter.Kind.COMPRESSAI : Converter.Kind.CLIP_VISION;
        Map<String, Tensor> out = null;
        Map<String, Tensor> firstWeights = null;
        List<Path> written = new ArrayList<>();
        try {
            for (Path in : inputs) {
                Path f = convert(in, new Converter.Options(kind, List.of(), null), written);
                try (SafeTensors st = SafeTensors.open(f)) {
                    checkConfig(c.id(), c.config(), st);
                    if (out == null) {
                        // Outputs named after state-dict keys (the entropy tables a pre-update checkpoint must get
                        // built) are checked against the converted weights; the rest come from the golden kind.
                        List<String> modelOutputs = new ArrayList<>();
                        for (String o : c.outputNames()) if (!st.contains(o)) modelOutputs.add(o);
                        out = runAs(kinds, c, backend, runsAs, naming(runsAs), configOf(st), c.call(), c.inputNames(),
                                modelOutputs, Map.of(), f);
                        for (String o : c.outputNames()) if (st.contains(o)) out.put(o, copyOf(st.get(o)));
                        firstWeights = copy(st.tensors());
                    } else {
                        sameWeights(firstWeights, st.tensors(), in.getFileName() + " vs " + inputs.get(0).getFileName());
                    }
                }
            }
        } finally {
            for (Path p : written) Files.deleteIfExists(p);
        }
        return out;
    }

    /** The case's weight files; the converter reads config.json beside each itself. */
    private static List<Path> weightInputs(GoldenCase c, Config ck) {
        List<Path> in = new ArrayList<>();
        for (String f : ck.getStringList("files")) if (!f.endsWith(".json")) in.add(c.dir().resolve(f));
        return in;
    }

    private static Map<String, Tensor> runModels(Kinds kinds, GoldenCase c, Backend backend, Config ck) throws Exception {
        Config ldm = c.config().has("ldm_original_config") ? c.config().getObject("ldm_original_config") : null;
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<String, Object> e : c.json().getObject("models").asMap().entrySet()) {
                Config m = new Config(asMap(e.getValue()), c.id() + ".models." + e.getKey());
                if (!m.has("runs_as")) continue; // optional aids without a golden kind (vae_encoder)
                String runsAs = m.getString("runs_as");
                Converter.Kind kind = switch (runsAs) {
                    case "model.unet2d_condition" -> Converter.Kind.UNET;
                    case "model.vae_decoder" -> Converter.Kind.VAE_DECODER;
                    default -> throw new IllegalArgumentException(c.id() + ": no converter kind for " + runsAs);
                };
                String prefix = e.getKey() + ".";
                List<Path> inputs = new ArrayList<>();
                if (ldm != null) {
                    inputs.add(c.dir().resolve(ck.getStringList("files").get(0)));
                } else {
                    // a diffusers folder: convert each weight file of the component (.safetensors and .bin)
                    for (String f : ck.getStringList("files")) {
                        if (f.startsWith(e.getKey() + "/") && !f.endsWith(".json")) inputs.add(c.dir().resolve(f));
                    }
                }
                Map<String, Tensor> first = null;
                for (int i = 0; i < inputs.size(); i++) {
                    Path in = inputs.get(i);
                    Path f = convert(in, new Converter.Options(kind, List.of(), ldm), written);
                    try (SafeTensors st = SafeTensors.open(f)) {
                        checkConfig(c.id() + " " + e.getKey(), m.getObject("config"), st);
                        if (first == null) {
                            Map<String, String> names = new LinkedHashMap<>();
                            List<String> ins = strip(m.getStringList("inputs"), prefix, names);
                            List<String> outs = strip(m.getStringList("outputs"), prefix, names);
                            Map<String, Tensor> got = runAs(kinds, c, backend, runsAs, "diffusers", configOf(st),
                                    m.getObject("call"), ins, outs, names, f);
                            got.forEach((k, v) -> out.put(prefix + k, v));
                            first = copy(st.tensors());
                        } else {
                            sameWeights(first, st.tensors(), c.id() + " " + e.getKey() + ": " + in.getFileName() + " vs " + inputs.get(0).getFileName());
                        }
                    }
                }
            }
        } finally {
            for (Path p : written) Files.deleteIfExists(p);
        }
        return out;
    }

    private static Map<String, Tensor> runLora(Kinds kinds, GoldenCase c, Backend backend, Config ck, String runsAs) throws Exception {
        Path lora = c.dir().resolve(ck.getStringList("files").get(0));
        Path baseDir = c.dir().resolve(ck.getObject("base").getString("path")).getParent();
        double scale = c.call().getDouble("lora_scale", 1.0);
        Map<String, Object> call = new LinkedHashMap<>(c.call().asMap());
        call.remove("lora_scale");
        Config runCall = new Config(call, c.id() + ".call");
        // eps: merged at the case's scale; eps_scale_0_5: at 0.5; eps_base: the base UNet alone.
        Map<String, Double> variants = new LinkedHashMap<>();
        variants.put("eps", scale);
        variants.put("eps_scale_0_5", 0.5);
        variants.put("eps_base", 0.0);
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<String, Double> v : variants.entrySet()) {
                if (!c.outputNames().contains(v.getKey())) continue;
                List<Converter.LoraSpec> loras = v.getValue() == 0.0 ? List.of() : List.of(new Converter.LoraSpec(lora, v.getValue()));
                Path f = convert(baseDir, new Converter.Options(Converter.Kind.UNET, loras, null), written);
                try (SafeTensors st = SafeTensors.open(f)) {
                    checkConfig(c.id(), c.config(), st);
                    Map<String, Tensor> got = runAs(kinds, c, backend, runsAs, "diffusers", configOf(st), runCall,
                            c.inputNames(), List.of("eps"), Map.of("eps", v.getKey()), f);
                    out.put(v.getKey(), got.get("eps"));
                }
            }
        } finally {
            for (Path p : written) Files.deleteIfExists(p);
        }
        return out;
    }

    /** Runs the golden kind {@code runsAs} on a derived case whose weights are the converted file {@code weights}. */
    private static Map<String, Tensor> runAs(Kinds kinds, GoldenCase c, Backend backend, String runsAs, String naming,
                                             Map<String, Object> config, Config call, List<String> inputs,
                                             List<String> outputs, Map<String, String> ioNames, Path weights) throws Exception {
        KindRunner runner = kinds.get(runsAs);
        if (runner == null) throw new IllegalStateException(c.id() + ": golden kind " + runsAs + " is not available in this build");
        Map<String, Object> j = new LinkedHashMap<>(c.json().asMap());
        j.remove("models");
        List<String> ioOut = new ArrayList<>();
        for (String o : outputs) ioOut.add(ioNames.getOrDefault(o, o));
        j.put("id", c.id() + "/" + String.join(",", ioOut));
        j.put("kind", runsAs);
        j.put("naming", naming);
        j.put("config", config);
        j.put("call", call.asMap());
        j.put("inputs", new ArrayList<Object>(inputs));
        j.put("outputs", new ArrayList<Object>(outputs));
        j.put("has_weights", true);
        Map<String, Object> tol = new LinkedHashMap<>();
        Config tpo = c.json().getObject("tolerance_per_output");
        for (String o : outputs) {
            String orig = ioNames.getOrDefault(o, o);
            if (tpo.has(orig)) tol.put(o, tpo.asMap().get(orig));
        }
        j.put("tolerance_per_output", tol);
        try (GoldenCase d = c.derive(new Config(j, c.id() + " as " + runsAs), ioNames, SafeTensors.open(weights))) {
            Map<String, Tensor> got = runner.run(d, backend);
            Map<String, Tensor> kept = new LinkedHashMap<>();
            // The derived case's weights close with it: copy the results in case one views them.
            for (String o : outputs) if (got.get(o) != null) kept.put(o, copyOf(got.get(o)));
            return kept;
        }
    }

    private static Tensor copyOf(Tensor t) {
        Tensor out = Tensor.zeros(java.lang.foreign.Arena.ofAuto(), t.dtype(), t.shape());
        t.copyInto(out);
        return out;
    }

    private static Path convert(Path in, Converter.Options o, List<Path> written) throws IOException {
        Path f = Files.createTempFile("sodec-ckpt-", ".safetensors");
        written.add(f);
        try (Conversion conv = Converter.open(in, o)) {
            EngineWriter.write(conv.model(), f, DType.F32, conv.source());
        }
        return f;
    }

    /**
     * The architecture must be read from the checkpoint: every key the case states must come out with the same
     * meaning ({@link ConfigMeaning}: e.g. 2 heads for every block equals [2, 2, 2]).
     */
    private static void checkConfig(String what, Config expected, SafeTensors st) {
        Map<String, Object> got = configOf(st);
        for (String key : expected.asMap().keySet()) {
            if (key.equals("ldm_original_config") || key.equals("unet") || key.equals("vae")) continue;
            String difference = ConfigMeaning.difference(key, expected.asMap(), got);
            if (difference != null) throw new IllegalStateException(what + ": converted " + difference + " (the case's value)");
        }
    }

    private static Map<String, Object> configOf(SafeTensors st) {
        return Json.parseObject(st.metadata().get("config"));
    }

    private static String naming(String runsAs) {
        if (runsAs.startsWith("model.compressai")) return "compressai";
        if (runsAs.equals("model.clip_vision")) return "transformers";
        return "diffusers";
    }

    private static List<String> strip(List<String> names, String prefix, Map<String, String> ioNames) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String s = n.startsWith(prefix) ? n.substring(prefix.length()) : n;
            ioNames.put(s, n);
            out.add(s);
        }
        return out;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, copyOf(v)));
        return out;
    }

    private static void sameWeights(Map<String, Tensor> a, Map<String, Tensor> b, String what) {
        if (!a.keySet().equals(b.keySet())) throw new IllegalStateException(what + ": converted key sets differ");
        for (String k : a.keySet()) {
            Tensor x = a.get(k), y = b.get(k);
            if (x.dtype() != y.dtype() || !java.util.Arrays.equals(x.shape(), y.shape())
                    || x.contiguous().data().mismatch(y.contiguous().data()) != -1) {
                throw new IllegalStateException(what + ": converted weight " + k + " differs");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }
}
