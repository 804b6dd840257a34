package dev.sodec.codec.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal option parsing: {@code --name value}, {@code --flag}, and positionals. {@code -} alone is a positional
 * (standard input or output); {@code --} ends the options. An option given twice keeps every value ({@link #all}),
 * {@link #get} gives the last.
 */
public final class Args {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new HashMap<>();

    /**
     * @param valued options that take a value (e.g. "--backend", "-o")
     * @param flags options that take none
     */
    public Args(String[] args, Set<String> valued, Set<String> flags) throws UsageException {
        boolean onlyPositionals = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (onlyPositionals) {
                positional.add(a);
            } else if (a.equals("--")) {
                onlyPositionals = true;
            } else if (valued.contains(a)) {
                if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                options.computeIfAbsent(a, k -> new ArrayList<>()).add(args[++i]);
            } else if (flags.contains(a)) {
                options.computeIfAbsent(a, k -> new ArrayList<>()).add("true");
            } else if (a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                throw new UsageException("unknown option " + a);
            } else {
                positional.add(a);
            }
        }
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public List<String> positional() { return positional; }

    public String get(String opt, String dflt) {
        List<String> v = options.get(opt);
        return v == null ? dflt : v.get(v.size() - 1);
    }

    /** Every value given for {@code opt}, in order; empty when not given. */
    public List<String> all(String opt) {
        return options.getOrDefault(opt, List.of());
    }

    public boolean flag(String opt) { return options.containsKey(opt); }

    public int getInt(String opt, int dflt) throws UsageException {
        String v = get(opt, null);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " expects an integer, got '" + v + "'");
        }
    }

    /** An integer option of at least {@code min}. */
    public int getInt(String opt, int dflt, int min) throws UsageException {
        int v = getInt(opt, dflt);
        if (v < min) throw new UsageException(opt + " must be at least " + min + ", got " + v);
        return v;
    }
}
