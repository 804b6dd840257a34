package dev.sodec.convert.model;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * transformers CLIP vision towers (CLIPVisionModel or the vision half of a CLIPModel; 4.x hub layout with the
 * {@code vision_model.} prefix or 5.x without) to the engine's 5.x names. The config comes from config.json
 * ({@code vision_config} of a full CLIP config) and every weight is checked against it.
 */
public final class ClipVision {
    /** The config keys the engine reads, with transformers' CLIPVisionConfig defaults. */
    private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("hidden_size", 768L);
        DEFAULTS.put("intermediate_size", 3072L);
        DEFAULTS.put("num_hidden_layers", 12L);
        DEFAULTS.put("num_attention_heads", 12L);
        DEFAULTS.put("image_size", 224L);
        DEFAULTS.put("patch_size", 32L);
        DEFAULTS.put("num_channels", 3L);
        DEFAULTS.put("hidden_act", "quick_gelu");
        DEFAULTS.put("layer_norm_eps", 1e-5);
    }

    private ClipVision() {}

    public static boolean isClip(Map<String, Tensor> sd) {
        return sd.containsKey("vision_model.embeddings.patch_embedding.weight") || sd.containsKey("embeddings.patch_embedding.weight");
    }

    /** A folder with config.json and model.safetensors (preferred) or pytorch_model.bin. */
    public static Conversion folder(Path dir) throws IOException {
        Path wf = null;
        for (String f : List.of("model.safetensors", "pytorch_model.bin")) {
            if (Files.isRegularFile(dir.resolve(f))) {
                wf = dir.resolve(f);
                break;
            }
        }
        if (wf == null) throw new CheckpointException(dir + ": no model.safetensors or pytorch_model.bin");
        return file(Checkpoints.open(wf), dir.resolve("config.json"));
    }

    /** Takes ownership of {@code w}; {@code configJson} is the transformers config.json. */
    public static Conversion file(Weights w, Path configJson) throws IOException {
        try {
            if (!Files.isRegularFile(configJson)) {
                throw new CheckpointException(w.fileName() + ": a CLIP vision tower needs its config.json (" + configJson + " not found)");
            }
            Map<String, Object> raw = Diffusers.readConfig(configJson);
            Object mt = raw.get("model_type");
            if ("clip".equals(mt)) {
                if (!(raw.get("vision_config") instanceof Map<?, ?> vc)) throw new CheckpointException(configJson.getFileName() + ": CLIP config without vision_config");
                @SuppressWarnings("unchecked") Map<String, Object> v = (Map<String, Object>) vc;
                raw = v;
            } else if (mt != null && !"clip_vision_model".equals(mt)) {
                throw new CheckpointException(configJson.getFileName() + ": model_type " + mt + " is not a CLIP vision model");
            }
            Map<String, Object> config = new LinkedHashMap<>();
            for (Map.Entry<String, Object> d : DEFAULTS.entrySet()) config.put(d.getKey(), raw.getOrDefault(d.getKey(), d.getValue()));
            Map<String, Tensor> t = NameMaps.clipVision(w.tensors());
            check(w.fileName(), new Config(config, "clip config"), t);
            return new Conversion(EngineModel.of("clip_vision", config, t), w.fileName(), List.of(w));
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private static void check(String file, Config c, Map<String, Tensor> t) throws CheckpointException {
        int h = c.getInt("hidden_size"), i = c.getInt("intermediate_size"), p = c.getInt("patch_size");
        int ch = c.getInt("num_channels"), img = c.getInt("image_size"), layers = c.getInt("num_hidden_layers");
        if (h % c.getInt("num_attention_heads") != 0) throw new CheckpointException(file + ": hidden_size " + h + " is not a multiple of num_attention_heads");
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("embeddings.class_embedding", new int[] {h});
        m.put("embeddings.patch_embedding.weight", new int[] {h, ch, p, p});
        m.put("embeddings.position_embedding.weight", new int[] {(img / p) * (img / p) + 1, h});
        m.put("pre_layrnorm.weight", new int[] {h});
        m.put("pre_layrnorm.bias", new int[] {h});
        for (int l = 0; l < layers; l++) {
            String b = "encoder.layers." + l + ".";
            for (String q : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                m.put(b + "self_attn." + q + ".weight", new int[] {h, h});
                m.put(b + "self_attn." + q + ".bias", new int[] {h});
            }
            for (String n : List.of("layer_norm1", "layer_norm2")) {
                m.put(b + n + ".weight", new int[] {h});
                m.put(b + n + ".bias", new int[] {h});
            }
            m.put(b + "mlp.fc1.weight", new int[] {i, h});
            m.put(b + "mlp.fc1.bias", new int[] {i});
            m.put(b + "mlp.fc2.weight", new int[] {h, i});
            m.put(b + "mlp.fc2.bias", new int[] {h});
        }
        m.put("post_layernorm.weight", new int[] {h});
        m.put("post_layernorm.bias", new int[] {h});
        Layouts.check(file, m, t);
    }
}
