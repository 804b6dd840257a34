package dev.sodec.codec.sodec;

import dev.sodec.engine.json.Config;
import java.util.Arrays;
import java.util.Objects;

/**
 * Shared checks for model configs read from reference-library JSON: options this engine does not implement must be
 * absent or hold the library's default, so an unsupported model fails at load time with the key named instead of
 * running a different network.
 */
public final class ConfigChecks {
    private ConfigChecks() {}

    /** {@code key} must be absent, null, or equal to {@code dflt} (numbers compared as doubles). */
    public static void requireDefault(Config c, String key, Object dflt) {
        if (!c.has(key)) {
            if (dflt == null || !c.asMap().containsKey(key)) return;
            throw unsupported(key, null, dflt);
        }
        Object v = c.asMap().get(key);
        boolean same = v instanceof Number n && dflt instanceof Number d
                ? n.doubleValue() == d.doubleValue()
                : Objects.equals(v, dflt);
        if (!same) throw unsupported(key, v, dflt);
    }

    private static IllegalArgumentException unsupported(String key, Object v, Object dflt) {
        return new IllegalArgumentException("config key '" + key + "' = " + v
                + " is not supported (only " + dflt + ")");
    }

    /**
     * A per-block int setting that diffusers accepts as one int (same for every block) or a list with one entry per
     * block; {@code dflt} is used when the key is absent or null.
     */
    public static int[] perBlock(Config c, String key, int blocks, int dflt) {
        int[] v = c.has(key) ? c.getIntList(key) : new int[] {dflt};
        if (v.length == 1 && blocks != 1) {
            int[] all = new int[blocks];
            Arrays.fill(all, v[0]);
            return all;
        }
        if (v.length != blocks) {
            throw new IllegalArgumentException("config key '" + key + "' has " + v.length + " entries for " + blocks + " blocks");
        }
        return v;
    }

    /** Every entry must be at least {@code min}. */
    public static void requireAtLeast(String key, int[] v, int min) {
        for (int x : v) {
            if (x < min) throw new IllegalArgumentException("config key '" + key + "' = " + Arrays.toString(v) + ": entries must be >= " + min);
        }
    }

    public static int reqPositive(Config c, String key, int dflt) {
        int v = c.getInt(key, dflt);
        if (v < 1) throw new IllegalArgumentException("config key '" + key + "' = " + v + " must be positive");
        return v;
    }

    public static int[] reversed(int[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[v.length - 1 - i];
        return r;
    }
}
