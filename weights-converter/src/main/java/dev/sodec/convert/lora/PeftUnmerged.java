package dev.sodec.convert.lora;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A model state dict saved with PEFT LoRA adapters still unmerged (peft 0.14 {@code LoraLayer}s inside the model, as
 * {@code model.state_dict()} of a model given {@code add_adapter} writes it): every adapted module {@code M} holds
 * {@code M.base_layer.weight/.bias} (the original layer), {@code M.lora_A.<adapter>.weight} [r, in] or
 * [r, in, kh, kw] (convolutions: the base kernel, stride and padding) and {@code M.lora_B.<adapter>.weight}
 * [out, r] or [out, r, 1, 1], neither with a bias. {@link #merge} returns the plain model: {@code M.weight} =
 * W + (alpha / r) B A (peft's merge, in F32, lazily per weight), {@code M.bias} = the base bias, every other key
 * unchanged. Only the adapter {@code default} (what {@code add_adapter} without a name creates) is merged; another
 * adapter name, DoRA magnitudes, LoRA embeddings, a half pair or a base layer without its pair are refused by key.
 */
public final class PeftUnmerged {
    private static final String ADAPTER = "default";

    /**
     * @param weights the merged state dict (Pending: merges run when written)
     * @param shapes the merged state dict's key -> shape, for layout checks
     * @param modules number of merged LoRA modules
     * @param ranks the distinct ranks found
     */
    public record Merged(Map<String, Pending> weights, Map<String, int[]> shapes, int modules, TreeSet<Integer> ranks) {}

    private PeftUnmerged() {}

    /** True when the state dict holds unmerged PEFT LoRA layers. */
    public static boolean isUnmerged(Map<String, Tensor> sd) {
        for (String k : sd.keySet()) if (k.contains(".lora_A.") || k.contains(".base_layer.")) return true;
        return false;
    }

    /**
     * Merges every LoRA module with factor {@code alpha / r}.
     *
     * @param file the file name errors start with
     */
    public static Merged merge(Map<String, Tensor> sd, double alpha, String file) throws CheckpointException {
        Map<String, Tensor> plain = new LinkedHashMap<>();
        Map<String, Tensor[]> pairs = new TreeMap<>();
        TreeSet<String> wrapped = new TreeSet<>();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            String k = e.getKey();
            int a = k.indexOf(".lora_A."), b = k.indexOf(".lora_B.");
            if (a >= 0 || b >= 0) {
                int at = Math.max(a, b);
                String module = k.substring(0, at), rest = k.substring(at + ".lora_A.".length());
                if (!rest.equals(ADAPTER + ".weight")) {
                    throw new CheckpointException(file + ": " + k + ": only the PEFT adapter '" + ADAPTER + "' with a weight is supported");
                }
                pairs.computeIfAbsent(module, x -> new Tensor[2])[a >= 0 ? 0 : 1] = e.getValue();
            } else if (k.contains(".lora_")) {
                throw new CheckpointException(file + ": " + k + ": unsupported PEFT tensor (LoRA embeddings, DoRA and bias LoRA are not supported)");
            } else if (k.contains(".base_layer.")) {
                String name = k.replace(".base_layer.", ".");
                wrapped.add(k.substring(0, k.indexOf(".base_layer.")));
                if (sd.containsKey(name)) throw new CheckpointException(file + ": holds both " + k + " and " + name);
                plain.put(name, e.getValue());
            } else {
                plain.put(k, e.getValue());
            }
        }
        for (String m : wrapped) {
            if (!pairs.containsKey(m)) throw new CheckpointException(file + ": " + m + ".base_layer has no lora_A/lora_B." + ADAPTER + " weights");
        }
        Map<String, Pending> out = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        plain.forEach((k, t) -> {
            out.put(k, Pending.of(t));
            shapes.put(k, t.shape());
        });
        TreeSet<Integer> ranks = new TreeSet<>();
        for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
            String m = e.getKey();
            Tensor down = e.getValue()[0], up = e.getValue()[1];
            if (down == null || up == null) {
                throw new CheckpointException(file + ": " + m + ".lora_" + (down == null ? "A" : "B") + "." + ADAPTER + ".weight is missing");
            }
            if (!wrapped.contains(m)) throw new CheckpointException(file + ": " + m + " has LoRA weights but no " + m + ".base_layer.weight");
            Tensor w = plain.get(m + ".weight");
            if (w == null) throw new CheckpointException(file + ": " + m + ".base_layer.weight is missing");
            int r = down.dim(0);
            if (r < 1 || up.rank() < 2 || up.dim(1) != r) {
                throw new CheckpointException(file + ": " + m + ": lora_A " + java.util.Arrays.toString(down.shape()) + " and lora_B "
                        + java.util.Arrays.toString(up.shape()) + " disagree on the rank");
            }
            LoraModule mod = new LoraModule(m, down, up, alpha, alpha / r, false);
            LoraMerge.checkShapes(mod, w.shape(), file);
            ranks.add(r);
            out.put(m + ".weight", new Pending(DType.F32, w.shape(), () -> LoraMerge.merge(w, mod, 1.0)));
        }
        return new Merged(out, shapes, pairs.size(), ranks);
    }
}
