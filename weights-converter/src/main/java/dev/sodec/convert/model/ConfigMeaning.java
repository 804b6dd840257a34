package dev.sodec.convert.model;

import dev.sodec.engine.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares model configs (diffusers style, as JSON values) by what they mean rather than how they are written: a
 * per-block key given as one value equals the list of that value for every block (diffusers' own conversion writes
 * {@code attention_head_dim: 8} where another writer puts {@code [8, 8, 8, 8]}), and numbers compare by value
 * ({@code 2} equals {@code 2.0}). Everything else must be equal.
 */
public final class ConfigMeaning {
    private ConfigMeaning() {}

    /** UNet2DConditionModel arguments that take one value for all blocks or a list with one per block. */
    static final Set<String> PER_BLOCK = Set.of("attention_head_dim", "num_attention_heads", "cross_attention_dim",
            "layers_per_block", "transformer_layers_per_block", "only_cross_attention");

    /**
     * Null when {@code got.get(key)} means what {@code expected.get(key)} means, else a one-line description of the
     * difference. The block count for per-block keys is the length of {@code block_out_channels} in either config.
     */
    public static String difference(String key, Map<String, Object> expected, Map<String, Object> got) {
        Object e = expected.get(key), g = got.get(key);
        if (same(e, g)) return null;
        if (PER_BLOCK.contains(key)) {
            int blocks = blocks(expected, got);
            if (blocks > 0 && (uniform(e, g, blocks) || uniform(g, e, blocks))) return null;
        }
        return "config key '" + key + "' is " + Json.write(g) + ", expected "
                + Json.write(e);
    }

    /** JSON equality with numbers compared by value. */
    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!same(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) return false;
            for (Object k : x.keySet()) if (!same(x.get(k), y.get(k))) return false;
            return true;
        }
        return a == null ? b == null : a.equals(b);
    }

    /** Whether {@code scalar} is one value and {@code list} holds it once per block. */
    private static boolean uniform(Object scalar, Object list, int blocks) {
        if (scalar == null || scalar instanceof List<?> || scalar instanceof Map<?, ?>) return false;
        if (!(list instanceof List<?> l) || l.size() != blocks) return false;
        for (Object v : l) if (!same(scalar, v)) return false;
        return true;
    }

    private static int blocks(Map<String, Object> a, Map<String, Object> b) {
        for (Map<String, Object> m : List.of(a, b)) {
            if (m.get("block_out_channels") instanceof List<?> l) return l.size();
        }
        return -1;
    }
}
