package dev.sodec.convert.model;

import dev.sodec.convert.CheckpointException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the YAML subset the LDM / Stable Diffusion inference configs (v1-inference.yaml, v2-inference-v.yaml ...)
 * are written in: nested block mappings by indentation, block sequences ({@code - item}), flow sequences
 * ({@code [1, 2, 4]}), plain or quoted scalars and comments. Values become what {@link dev.sodec.engine.json.Json}
 * produces (Long, Double, Boolean, String, null, ArrayList, LinkedHashMap), so the result feeds a
 * {@link dev.sodec.engine.json.Config}. Anchors, multi-line strings and flow mappings are refused.
 */
public final class LdmYaml {
    private record Line(int indent, String text, int number) {}

    private static final java.util.regex.Pattern FLOAT =
            java.util.regex.Pattern.compile("[-+]?+([0-9]++\\.?+[0-9]*+|\\.[0-9]++)([eE][-+]?+[0-9]++)?+");

    private final List<Line> lines = new ArrayList<>();
    private final String name;
    private int pos;

    private LdmYaml(String name, String text) throws CheckpointException {
        this.name = name;
        String[] raw = text.split("\r?\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String l = stripComment(raw[i]);
            if (l.isBlank() || l.strip().equals("---")) continue;
            int ind = 0;
            while (ind < l.length() && l.charAt(ind) == ' ') ind++;
            if (ind < l.length() && l.charAt(ind) == '\t') throw err(i + 1, "tab indentation");
            lines.add(new Line(ind, l.strip(), i + 1));
        }
    }

    public static Map<String, Object> parse(String name, String text) throws CheckpointException {
        LdmYaml y = new LdmYaml(name, text);
        if (y.lines.isEmpty()) return new LinkedHashMap<>();
        Object v = y.block(y.lines.getFirst().indent());
        if (y.pos != y.lines.size()) throw y.err(y.lines.get(y.pos).number(), "unexpected indentation");
        if (!(v instanceof Map<?, ?> m)) throw y.err(1, "top level is not a mapping");
        @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) m;
        return r;
    }

    private CheckpointException err(int line, String what) {
        return new CheckpointException(name + ": line " + line + ": " + what + " (only the YAML subset of LDM configs is read)");
    }

    private static String stripComment(String l) {
        boolean sq = false, dq = false;
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (c == '\'' && !dq) sq = !sq;
            else if (c == '"' && !sq) dq = !dq;
            else if (c == '#' && !sq && !dq && (i == 0 || l.charAt(i - 1) == ' ')) return l.substring(0, i);
        }
        return l;
    }

    private Object block(int indent) throws CheckpointException {
        Line first = lines.get(pos);
        return first.text().startsWith("- ") || first.text().equals("-") ? sequence(indent) : mapping(indent);
    }

    private List<Object> sequence(int indent) throws CheckpointException {
        List<Object> out = new ArrayList<>();
        while (pos < lines.size() && lines.get(pos).indent() == indent && (lines.get(pos).text().startsWith("- ") || lines.get(pos).text().equals("-"))) {
            Line l = lines.get(pos++);
            String item = l.text().substring(1).strip();
            if (item.isEmpty()) {
                if (pos >= lines.size() || lines.get(pos).indent() <= indent) out.add(null);
                else out.add(block(lines.get(pos).indent()));
            } else if (keyColon(item) > 0) {
                throw err(l.number(), "mappings inside sequence items are not supported");
            } else {
                out.add(scalarOrFlow(item, l.number()));
            }
        }
        return out;
    }

    private Map<String, Object> mapping(int indent) throws CheckpointException {
        Map<String, Object> out = new LinkedHashMap<>();
        while (pos < lines.size() && lines.get(pos).indent() == indent) {
            Line l = lines.get(pos);
            if (l.text().startsWith("- ")) break;
            int c = keyColon(l.text());
            if (c <= 0) throw err(l.number(), "expected 'key: value'");
            String key = unquote(l.text().substring(0, c).strip());
            String rest = l.text().substring(c + 1).strip();
            pos++;
            Object v;
            if (!rest.isEmpty()) {
                v = scalarOrFlow(rest, l.number());
            } else if (pos < lines.size() && (lines.get(pos).indent() > indent
                    || (lines.get(pos).indent() == indent && lines.get(pos).text().startsWith("- ")))) {
                v = block(lines.get(pos).indent());
            } else {
                v = null;
            }
            if (out.put(key, v) != null) throw err(l.number(), "duplicate key '" + key + "'");
        }
        return out;
    }

    /** Index of the ':' that ends a mapping key (followed by a space or the end), or -1. */
    private static int keyColon(String t) {
        boolean sq = false, dq = false;
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '\'' && !dq) sq = !sq;
            else if (ch == '"' && !sq) dq = !dq;
            else if (ch == '[' && !sq && !dq) return -1;
            else if (ch == ':' && !sq && !dq && (i + 1 == t.length() || t.charAt(i + 1) == ' ')) return i;
        }
        return -1;
    }

    private Object scalarOrFlow(String s, int line) throws CheckpointException {
        if (s.startsWith("[")) {
            if (!s.endsWith("]")) throw err(line, "multi-line flow sequences are not supported");
            List<Object> out = new ArrayList<>();
            String body = s.substring(1, s.length() - 1).strip();
            if (body.isEmpty()) return out;
            for (String part : body.split(",")) {
                if (part.strip().startsWith("[") || part.strip().startsWith("{")) throw err(line, "nested flow collections are not supported");
                out.add(scalar(part.strip(), line));
            }
            return out;
        }
        if (s.startsWith("{") || s.startsWith("&") || s.startsWith("*") || s.startsWith("|") || s.startsWith(">")) {
            throw err(line, "'" + s + "' is not supported");
        }
        return scalar(s, line);
    }

    private Object scalar(String s, int line) throws CheckpointException {
        if (s.length() >= 2 && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) return unquote(s);
        switch (s) {
            case "true", "True", "TRUE" -> { return Boolean.TRUE; }
            case "false", "False", "FALSE" -> { return Boolean.FALSE; }
            case "null", "Null", "NULL", "~", "" -> { return null; }
            default -> { }
        }
        if (s.matches("[-+]?[0-9]+")) {
            try {
                return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException e) {
                throw err(line, "integer out of range: " + s);
            }
        }
        // Possessive quantifiers: with greedy ones a long run of digits followed by anything else backtracked over
        // every split of the digits (quadratic: 4096 digits took seconds, 64 KiB minutes).
        if (FLOAT.matcher(s).matches()) return Double.parseDouble(s);
        return s;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
