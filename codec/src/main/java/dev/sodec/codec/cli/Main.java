package dev.sodec.codec.cli;

import dev.sodec.codec.io.IoMessages;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code sodec} command line. Each subcommand is a class of its own with a {@link CommandSpec}; {@code --help}
 * on any of them prints its options, {@code sodec help COMMAND} does the same, {@code --version} the version.
 * Errors print one line and exit 1 (the operation failed: a file missing, unreadable, corrupt or unwritable) or 2 (a
 * usage error), without a stack trace ({@code SODEC_DEBUG=1} adds one).
 */
public final class Main {
    private Main() {}

    /** A subcommand: returns the process exit code. */
    @FunctionalInterface
    public interface Command {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    record Entry(CommandSpec spec, Command command) {}

    static Map<String, Entry> commands() {
        Map<String, Entry> c = new LinkedHashMap<>();
        c.put("demo", new Entry(DemoCommand.SPEC, DemoCommand::run));
        c.put("compress", new Entry(CompressCommand.SPEC, CompressCommand::run));
        c.put("decompress", new Entry(DecompressCommand.SPEC, DecompressCommand::run));
        c.put("info", new Entry(InfoCommand.SPEC, InfoCommand::run));
        c.put("eval", new Entry(EvalCommand.SPEC, EvalCommand::run));
        c.put("bdrate", new Entry(BdRateCommand.SPEC, BdRateCommand::run));
        c.put("models", new Entry(ModelsCommand.SPEC, ModelsCommand::run));
        // lambdas, not method references: these two need the weights-converter jar, loaded only when they run
        c.put("convert", new Entry(OtherSpecs.CONVERT, (a, out, err) -> ConvertCommand.run(a)));
        c.put("conformance", new Entry(ConformanceCommand.SPEC, (a, out, err) -> ConformanceCommand.run(a, out, err)));
        c.put("bench", new Entry(OtherSpecs.BENCH, BenchCommand::run));
        // a lambda: the serve command's classes (Netty, Micrometer) load only when it runs
        c.put("serve", new Entry(ServeCommand.SPEC, (a, out, err) -> ServeCommand.run(a, out, err)));
        return c;
    }

    public static void main(String[] args) {
        // a worker thread that dies (e.g. out of memory in a pool) prints one line, never the JVM's stack trace
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            System.err.println("sodec: " + IoMessages.describe(e));
            if (System.getenv("SODEC_DEBUG") != null) e.printStackTrace();
        });
        int code;
        try {
            code = run(args, System.err);
        } catch (OutOfMemoryError e) {
            // thrown outside a command (argument parsing, help); the command's own errors are handled in run
            System.err.println("sodec: " + IoMessages.describe(e));
            code = 1;
        }
        System.exit(code);
    }

    public static int run(String[] args, PrintStream err) {
        return run(args, System.out, err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Entry> cmds = commands();
        if (args.length == 0) {
            err.print(overview(cmds));
            return 2;
        }
        switch (args[0]) {
            case "-h", "--help" -> {
                out.print(overview(cmds));
                return 0;
            }
            case "help" -> {
                if (args.length == 1) {
                    out.print(overview(cmds));
                    return 0;
                }
                Entry e = cmds.get(args[1]);
                if (e == null) return unknownCommand(args[1], cmds, err);
                out.print(e.spec().help());
                return 0;
            }
            case "-V", "--version", "version" -> {
                out.println(Version.line());
                return 0;
            }
            default -> { }
        }
        Entry entry = cmds.get(args[0]);
        if (entry == null) return unknownCommand(args[0], cmds, err);
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (entry.spec().wantsHelp(rest)) {
            out.print(entry.spec().help());
            return 0;
        }
        try {
            return entry.command().run(rest, out, err);
        } catch (UsageException e) {
            err.println("sodec " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            err.println("sodec " + args[0] + ": " + IoMessages.describe(e));
            if (System.getenv("SODEC_DEBUG") != null) e.printStackTrace(err);
            return 1;
        }
    }

    private static int unknownCommand(String name, Map<String, Entry> cmds, PrintStream err) {
        err.println("sodec: unknown command '" + name + "' (commands: " + String.join(", ", cmds.keySet())
                + "; sodec --help describes them)");
        return 2;
    }

    static String overview(Map<String, Entry> cmds) {
        StringBuilder s = new StringBuilder("usage: sodec COMMAND [ARGS]\n\nA learned image codec for the JVM.\n\ncommands:\n");
        for (Entry e : cmds.values()) {
            s.append(String.format("  %-12s %s%n", e.spec().name(), e.spec().summary()));
        }
        s.append("""

                sodec COMMAND --help (or sodec help COMMAND) lists a command's options; sodec --version prints the version.

                environment:
                  SODEC_MODEL       model used when --model is not given (a shipped name or a file)
                  SODEC_MODEL_DIR   folder of added models (sodec models add) and of the models compressed files
                                    name (default ./models)
                  SODEC_CACHE       where shipped models are unpacked (default ~/.cache/sodec)
                  SODEC_JAVA_OPTS   JVM options for the ./sodec launcher (e.g. -Xmx8g)
                  SODEC_DEBUG       set to print stack traces with errors
                  SODEC_SERVE_TOKEN bearer token sodec serve requires when --token-file is not given

                exit status: 0 done, 1 failed (a file missing, unreadable, corrupt or unwritable), 2 usage error
                """);
        return s.toString();
    }
}
