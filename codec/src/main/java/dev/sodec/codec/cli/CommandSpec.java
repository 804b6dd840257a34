package dev.sodec.codec.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a subcommand accepts, written once: its arguments, options and a summary. The usage line, the
 * {@code --help} text and the option parser all come from it, so help cannot drift from what is parsed.
 *
 * @param name the subcommand
 * @param arguments the synopsis of its arguments, with the options that are part of it ({@code IN... -o OUT}); every
 *     other option is listed after it in brackets
 * @param summary one line for the command list
 * @param options every option but {@code --help}
 * @param notes more lines for {@code --help} (may be empty)
 */
record CommandSpec(String name, String arguments, String summary, List<Option> options, String notes) {
    static final Option HELP = Option.flag("-h, --help", "print this help and exit");

    CommandSpec {
        options = List.copyOf(options);
    }

    /** One line: {@code usage: sodec NAME ARGUMENTS [--opt V]...}, optional parts in brackets. */
    String usage() {
        StringBuilder s = new StringBuilder("usage: sodec ").append(name);
        if (!arguments.isEmpty()) s.append(' ').append(arguments);
        for (Option o : options) {
            if (!mentioned(o)) s.append(" [").append(o.synopsis()).append(']');
        }
        return s.toString();
    }

    private boolean mentioned(Option o) {
        return Pattern.compile("(?<![\\w-])" + Pattern.quote(o.name()) + "(?![\\w-])").matcher(arguments).find();
    }

    /** The full help: usage, summary, one line per option, notes, exit codes. */
    String help() {
        StringBuilder s = new StringBuilder(usage()).append("\n\n").append(summary).append("\n\noptions:\n");
        List<Option> all = new ArrayList<>(options);
        all.add(HELP);
        int width = 0;
        for (Option o : all) width = Math.max(width, o.synopsis().length());
        for (Option o : all) {
            s.append("  ").append(o.synopsis()).append(" ".repeat(width - o.synopsis().length() + 2)).append(o.help()).append('\n');
        }
        if (!notes.isEmpty()) s.append('\n').append(notes.strip()).append('\n');
        s.append("\nexit status: 0 done, 1 failed (a file missing, unreadable, corrupt or unwritable), 2 usage error\n");
        return s.toString();
    }

    Set<String> valued() {
        Set<String> v = new HashSet<>();
        for (Option o : options) if (o.takesValue()) v.add(o.name());
        return v;
    }

    Set<String> flags() {
        Set<String> f = new HashSet<>();
        for (Option o : options) if (!o.takesValue()) f.add(o.name());
        return f;
    }

    /** Parses {@code argv}; unknown options and missing values are usage errors that point at {@code --help}. */
    Args parse(String[] argv) throws UsageException {
        try {
            return new Args(argv, valued(), flags());
        } catch (UsageException e) {
            throw new UsageException(e.getMessage() + " (sodec " + name + " --help lists the options)");
        }
    }

    /** Whether {@code argv} asks for help: {@code -h} or {@code --help} where an option may stand. */
    boolean wantsHelp(String[] argv) {
        Set<String> valued = valued();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("-h") || argv[i].equals("--help")) return true;
            if (valued.contains(argv[i])) i++;
        }
        return false;
    }
}
