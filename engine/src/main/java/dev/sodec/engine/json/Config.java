package dev.sodec.engine.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed read access to a JSON object holding a model or case configuration. Missing keys and wrong types are
 * errors that name the key, so a config mismatch never turns into a silent default.
 */
public final class Config {
    private final Map<String, Object> map;
    private final String where;

    public Config(Map<String, Object> map, String where) {
        this.map = map;
        this.where = where;
    }

    public static Config parse(String json, String where) {
        return new Config(Json.parseObject(json), where);
    }

    public Map<String, Object> asMap() { return map; }

    public boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    private Object need(String key) {
        if (!map.containsKey(key)) throw new IllegalArgumentException(where + ": missing config key '" + key + "'");
        return map.get(key);
    }

    private IllegalArgumentException wrong(String key, String type) {
        return new IllegalArgumentException(where + ": config key '" + key + "' is not " + type + " (" + map.get(key) + ")");
    }

    public int getInt(String key) {
        Object v = need(key);
        if (v instanceof Long l && l == (int) (long) l) return (int) (long) l;
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE) return (int) (double) d;
        throw wrong(key, "an int");
    }

    public int getInt(String key, int dflt) { return has(key) ? getInt(key) : dflt; }

    public long getLong(String key) {
        Object v = need(key);
        if (v instanceof Long l) return l;
        throw wrong(key, "an integer");
    }

    public double getDouble(String key) {
        Object v = need(key);
        if (v instanceof Number n) return n.doubleValue();
        throw wrong(key, "a number");
    }

    public double getDouble(String key, double dflt) { return has(key) ? getDouble(key) : dflt; }

    public String getString(String key) {
        Object v = need(key);
        if (v instanceof String s) return s;
        throw wrong(key, "a string");
    }

    public String getString(String key, String dflt) { return has(key) ? getString(key) : dflt; }

    public boolean getBool(String key) {
        Object v = need(key);
        if (v instanceof Boolean b) return b;
        throw wrong(key, "a boolean");
    }

    public boolean getBool(String key, boolean dflt) { return has(key) ? getBool(key) : dflt; }

    @SuppressWarnings("unchecked")
    public Config getObject(String key) {
        Object v = need(key);
        if (v instanceof Map<?, ?> m) return new Config((Map<String, Object>) m, where + "." + key);
        throw wrong(key, "an object");
    }

    public List<Object> getList(String key) {
        Object v = need(key);
        if (v instanceof List<?> l) return new ArrayList<>(l);
        throw wrong(key, "a list");
    }

    /** An int list; a scalar int is accepted as a list of one (diffusers allows both for head counts). */
    public int[] getIntList(String key) {
        Object v = need(key);
        if (v instanceof Number) return new int[] {getInt(key)};
        if (!(v instanceof List<?> l)) throw wrong(key, "a list of ints");
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long x)) throw wrong(key, "a list of ints");
            out[i] = Math.toIntExact(x);
        }
        return out;
    }

    public List<String> getStringList(String key) {
        Object v = need(key);
        if (!(v instanceof List<?> l)) throw wrong(key, "a list of strings");
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s)) throw wrong(key, "a list of strings");
            out.add(s);
        }
        return out;
    }

    @Override
    public String toString() { return Json.write(map); }
}
