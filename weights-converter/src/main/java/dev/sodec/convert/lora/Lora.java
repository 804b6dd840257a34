package dev.sodec.convert.lora;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.json.JsonException;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the UNet part of a LoRA file into {@link LoraModule}s targeting diffusers module paths. Two key schemes:
 * <ul>
 * <li>peft / diffusers ({@code unet.<module>.lora_A.weight}, {@code .lora_B.weight}; PEFT's own files use the
 * prefix {@code base_model.model.}). Alpha is not a tensor: it comes from the safetensors metadata
 * {@code lora_adapter_metadata} (diffusers >= 0.30, keys prefixed {@code unet.}) or a sibling
 * {@code adapter_config.json}; without either, alpha = r.</li>
 * <li>kohya-ss ({@code lora_unet_<module with . -> _>.lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}).
 * {@code _} is ambiguous, so names are resolved against the base UNet's module list; a missing {@code .alpha}
 * means alpha = rank.</li>
 * </ul>
 * Text-encoder entries are skipped (SODEC has no text encoder); anything else unknown is an error naming the key.
 */
public final class Lora {
    private Lora() {}

    /**
     * @param baseModules diffusers module paths of the base UNet (weight keys minus {@code .weight})
     * @param adapterConfig a PEFT adapter_config.json beside the file, or null
     */
    public static List<LoraModule> read(Weights w, Set<String> baseModules, Path adapterConfig) throws IOException {
        boolean kohya = w.tensors().keySet().stream().anyMatch(k -> k.startsWith("lora_unet_") || k.startsWith("lora_te"));
        List<LoraModule> mods = kohya ? kohya(w, baseModules) : peft(w, adapterConfig);
        if (mods.isEmpty()) throw new CheckpointException(w.fileName() + ": no UNet LoRA weights found");
        for (LoraModule m : mods) {
            if (!baseModules.contains(m.module())) {
                throw new CheckpointException(w.fileName() + ": LoRA targets " + m.module() + ", which the base UNet does not have");
            }
        }
        return mods;
    }

    private static List<LoraModule> peft(Weights w, Path adapterConfig) throws IOException {
        String file = w.fileName();
        Map<String, Tensor[]> pairs = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("text_encoder") || k.startsWith("te_")) continue;
            String m = k;
            if (m.startsWith("unet.")) m = m.substring(5);
            else if (m.startsWith("base_model.model.")) m = m.substring(17);
            int slot;
            if (m.endsWith(".lora_A.weight")) slot = 0;
            else if (m.endsWith(".lora_B.weight")) slot = 1;
            else if (m.endsWith(".lora_magnitude_vector") || m.contains(".lora_magnitude_vector.")) {
                throw new CheckpointException(file + ": DoRA LoRA (" + k + ") is not supported");
            } else {
                throw new CheckpointException(file + ": unrecognised LoRA key " + k + " (expected peft lora_A/lora_B or kohya lora_unet_*)");
            }
            String module = m.substring(0, m.length() - ".lora_A.weight".length());
            pairs.computeIfAbsent(module, x -> new Tensor[2])[slot] = e.getValue();
        }
        Map<String, Object> cfg = peftConfig(w, adapterConfig);
        double alpha = cfg.get("lora_alpha") instanceof Number n ? n.doubleValue() : Double.NaN;
        boolean rslora = Boolean.TRUE.equals(cfg.get("use_rslora"));
        if (Boolean.TRUE.equals(cfg.get("use_dora"))) throw new CheckpointException(file + ": DoRA LoRA is not supported");
        Map<?, ?> alphaPattern = cfg.get("alpha_pattern") instanceof Map<?, ?> ap ? ap : Map.of();
        List<LoraModule> out = new ArrayList<>();
        for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
            Tensor a = e.getValue()[0], b = e.getValue()[1];
            if (a == null || b == null) throw new CheckpointException(file + ": LoRA module " + e.getKey() + " lacks its "
                    + (a == null ? "lora_A" : "lora_B") + " weight");
            int rank = a.dim(0);
            double al = alpha;
            for (Map.Entry<?, ?> p : alphaPattern.entrySet()) {
                String pat = String.valueOf(p.getKey());
                if ((e.getKey().equals(pat) || e.getKey().endsWith("." + pat)) && p.getValue() instanceof Number n) al = n.doubleValue();
            }
            boolean dflt = Double.isNaN(al);
            if (dflt) al = rank;
            double factor = rslora ? al / Math.sqrt(rank) : al / rank;
            out.add(new LoraModule(e.getKey(), a, b, al, factor, dflt));
        }
        return out;
    }

    /** The peft LoraConfig: from lora_adapter_metadata (keys "unet.*"), else adapter_config.json, else empty. */
    private static Map<String, Object> peftConfig(Weights w, Path adapterConfig) throws IOException {
        String meta = w.metadata().get("lora_adapter_metadata");
        Map<String, Object> out = new HashMap<>();
        if (meta != null) {
            Map<String, Object> m;
            try {
                m = Json.parseObject(meta);
            } catch (JsonException e) {
                throw new CheckpointException(w.fileName() + ": __metadata__ lora_adapter_metadata is not JSON: " + e.getMessage());
            }
            boolean prefixed = m.keySet().stream().anyMatch(k -> k.startsWith("unet."));
            m.forEach((k, v) -> {
                if (!prefixed) out.put(k, v);
                else if (k.startsWith("unet.")) out.put(k.substring(5), v);
            });
            return out;
        }
        if (adapterConfig != null && Files.isRegularFile(adapterConfig)) {
            try {
                return Json.parseObject(Files.readString(adapterConfig));
            } catch (JsonException e) {
                throw new CheckpointException(adapterConfig.getFileName() + ": not valid JSON: " + e.getMessage());
            }
        }
        return out;
    }

    private static List<LoraModule> kohya(Weights w, Set<String> baseModules) throws CheckpointException {
        String file = w.fileName();
        Map<String, String> byUnderscore = new HashMap<>();
        Set<String> ambiguous = new java.util.HashSet<>();
        for (String m : baseModules) {
            String u = m.replace('.', '_');
            if (byUnderscore.put(u, m) != null) ambiguous.add(u);
        }
        Map<String, Tensor[]> parts = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("lora_te")) continue;
            if (!k.startsWith("lora_unet_")) throw new CheckpointException(file + ": unrecognised kohya LoRA key " + k);
            int dot = k.indexOf('.');
            if (dot < 0) throw new CheckpointException(file + ": unrecognised kohya LoRA key " + k);
            String name = k.substring("lora_unet_".length(), dot), suffix = k.substring(dot + 1);
            int slot = switch (suffix) {
                case "lora_down.weight" -> 0;
                case "lora_up.weight" -> 1;
                case "alpha" -> 2;
                default -> {
                    if (suffix.startsWith("hada_") || suffix.startsWith("lokr_")) {
                        throw new CheckpointException(file + ": " + k + ": LoHa/LoKr (LyCORIS) modules are not supported, only LoRA/LoCon");
                    }
                    throw new CheckpointException(file + ": unrecognised kohya LoRA key " + k);
                }
            };
            parts.computeIfAbsent(name, x -> new Tensor[3])[slot] = e.getValue();
        }
        List<LoraModule> out = new ArrayList<>();
        for (Map.Entry<String, Tensor[]> e : parts.entrySet()) {
            String name = e.getKey();
            if (ambiguous.contains(name)) throw new CheckpointException(file + ": kohya name lora_unet_" + name + " matches several UNet modules");
            String module = byUnderscore.get(name);
            if (module == null) {
                boolean ldm = name.startsWith("input_blocks_") || name.startsWith("middle_block_") || name.startsWith("output_blocks_");
                throw new CheckpointException(file + ": kohya key lora_unet_" + name + " matches no module of the base UNet"
                        + (ldm ? " (LDM-style kohya names, as SD-XL files use, are not supported)" : ""));
            }
            Tensor a = e.getValue()[0], b = e.getValue()[1], al = e.getValue()[2];
            if (a == null || b == null) throw new CheckpointException(file + ": kohya module lora_unet_" + name + " lacks its "
                    + (a == null ? "lora_down" : "lora_up") + " weight");
            int rank = a.dim(0);
            boolean dflt = al == null;
            if (al != null && al.numel() != 1) throw new CheckpointException(file + ": lora_unet_" + name + ".alpha is not a scalar");
            double alpha = dflt ? rank : al.toFloatArray()[0];
            out.add(new LoraModule(module, a, b, alpha, alpha / rank, dflt));
        }
        return out;
    }
}
