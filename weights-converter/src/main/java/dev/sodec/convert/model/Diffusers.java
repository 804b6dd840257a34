package dev.sodec.convert.model;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.json.JsonException;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * diffusers component folders ({@code save_pretrained}): {@code config.json} plus
 * {@code diffusion_pytorch_model.safetensors} (preferred, like diffusers) or {@code .bin}. The architecture is the
 * config's; the weights are checked against it key by key.
 */
public final class Diffusers {
    static final List<String> WEIGHT_FILES = List.of("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin");

    private Diffusers() {}

    /** config.json of a folder, without the "_class_name"/"_diffusers_version"-style private keys. */
    public static Map<String, Object> readConfig(Path json) throws IOException {
        Map<String, Object> raw = readJson(json);
        Map<String, Object> c = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (!k.startsWith("_")) c.put(k, v);
        });
        return c;
    }

    private static Map<String, Object> readJson(Path json) throws IOException {
        try {
            return Json.parseObject(Files.readString(json));
        } catch (JsonException e) {
            throw new CheckpointException(json.getParent().getFileName() + "/" + json.getFileName() + ": not valid JSON: " + e.getMessage());
        }
    }

    public static String className(Path json) throws IOException {
        Object v = readJson(json).get("_class_name");
        return v instanceof String s ? s : null;
    }

    /** The weight file of a component folder. */
    public static Path weightFile(Path dir) throws CheckpointException {
        for (String f : WEIGHT_FILES) if (Files.isRegularFile(dir.resolve(f))) return dir.resolve(f);
        if (Files.exists(dir.resolve("diffusion_pytorch_model.safetensors.index.json"))) {
            throw new CheckpointException(dir.getFileName() + ": sharded diffusers weights (*.index.json) are not supported yet");
        }
        throw new CheckpointException(dir + ": no " + String.join(" or ", WEIGHT_FILES));
    }

    /** A UNet2DConditionModel folder. */
    public static Conversion unet(Path dir) throws IOException {
        Path cfg = dir.resolve("config.json");
        Map<String, Object> config = readConfig(cfg);
        Path wf = weightFile(dir);
        Weights w = Checkpoints.open(wf);
        try {
            return unet(config, w.tensors(), wf.getFileName().toString(), List.of(w));
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** A UNet in diffusers naming with its config (from config.json or derived from an LDM file). */
    public static Conversion unet(Map<String, Object> config, Map<String, Tensor> tensors, String source,
                                  List<AutoCloseable> resources) throws CheckpointException {
        Map<String, int[]> layout;
        try {
            layout = Layouts.unet(new Config(config, source + " unet config"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": " + e.getMessage());
        }
        Layouts.check(source, layout, tensors);
        return new Conversion(EngineModel.of("unet2d_condition", config, tensors), source, resources);
    }

    /** An AutoencoderKL folder; {@code decoderOnly} drops encoder.* and quant_conv.* (all SODEC decodes with). */
    public static Conversion vae(Path dir, boolean decoderOnly) throws IOException {
        Map<String, Object> config = readConfig(dir.resolve("config.json"));
        Path wf = weightFile(dir);
        Weights w = Checkpoints.open(wf);
        try {
            return vae(config, w.tensors(), decoderOnly, wf.getFileName().toString(), List.of(w));
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    public static Conversion vae(Map<String, Object> config, Map<String, Tensor> tensors, boolean decoderOnly, String source,
                                 List<AutoCloseable> resources) throws CheckpointException {
        tensors = renameDeprecatedAttention(tensors);
        Config c = new Config(config, source + " vae config");
        boolean hasEncoder = tensors.keySet().stream().anyMatch(k -> k.startsWith("encoder."));
        if (!hasEncoder) decoderOnly = true; // a decoder-only file (e.g. SODEC's own) is complete as it is
        try {
            Layouts.check(source, Layouts.vae(c, !hasEncoder), tensors);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": " + e.getMessage());
        }
        Map<String, Tensor> kept = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String k = e.getKey();
            if (!decoderOnly || !(k.startsWith("encoder.") || k.startsWith("quant_conv."))) kept.put(k, e.getValue());
        }
        return new Conversion(EngineModel.of(decoderOnly ? "vae_decoder" : "vae", config, kept), source, resources);
    }

    private static final Map<String, String> DEPRECATED_ATTENTION = Map.of(
            "query", "to_q", "key", "to_k", "value", "to_v", "proj_attn", "to_out.0");

    /**
     * VAE files saved by diffusers before 0.14 (the Stable Diffusion 2.x Hub VAEs among them) name the mid-block
     * attention {@code query/key/value/proj_attn}; diffusers renames them to {@code to_q/to_k/to_v/to_out.0} at
     * load, and so does this (a 1x1-conv-shaped [C, C, 1, 1] weight becomes the linear [C, C]).
     */
    static Map<String, Tensor> renameDeprecatedAttention(Map<String, Tensor> tensors) {
        boolean any = false;
        for (String k : tensors.keySet()) any |= deprecatedName(k) != null;
        if (!any) return tensors;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String n = deprecatedName(e.getKey());
            Tensor t = e.getValue();
            if (n != null && t.rank() == 4 && t.dim(2) == 1 && t.dim(3) == 1) t = t.reshape(t.dim(0), t.dim(1));
            out.put(n == null ? e.getKey() : n, t);
        }
        return out;
    }

    private static String deprecatedName(String key) {
        int at = key.indexOf(".mid_block.attentions.");
        if (at < 0) return null;
        String[] parts = key.split("\\.");
        // <encoder|decoder>.mid_block.attentions.<i>.<name>.<weight|bias>
        if (parts.length != 6) return null;
        String to = DEPRECATED_ATTENTION.get(parts[4]);
        return to == null ? null : parts[0] + ".mid_block.attentions." + parts[3] + "." + to + "." + parts[5];
    }
}
