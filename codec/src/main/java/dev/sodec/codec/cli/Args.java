package dev.sodec.codec.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Minimal option parsing: {@code --name value}, {@code --flag}, and positionals. */
public final class Args {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    /**
     * @param valued options that take a value (e.g. "--backend", "-o")
     * @param flags options that take none
     */
    public Args(String[] args, Set<String> valued, Set<String> flags) throws UsageException {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (valued.contains(a)) {
                if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                options.put(a, args[++i]);
            } else if (flags.contains(a)) {
                options.put(a, "true");
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

    public String get(String opt, String dflt) { return options.getOrDefault(opt, dflt); }

    public boolean flag(String opt) { return options.containsKey(opt); }

    public int getInt(String opt, int dflt) throws UsageException {
        String v = options.get(opt);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " expects an integer, got '" + v + "'");
        }
    }
}
