package dev.sodec.codec.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code sodec} command line. Each subcommand is a class of its own; errors the user can fix print one line
 * and exit non-zero, without a stack trace.
 */
public final class Main {
    private Main() {}

    /** A subcommand: returns the process exit code. */
    @FunctionalInterface
    public interface Command {
        int run(String[] args) throws Exception;
    }

    static Map<String, Command> commands() {
        Map<String, Command> c = new LinkedHashMap<>();
        c.put("demo", DemoCommand::run);
        // lambdas, not method references: these two need the weights-converter jar, which is loaded only when they run
        c.put("conformance", a -> ConformanceCommand.run(a));
        c.put("convert", a -> ConvertCommand.run(a));
        c.put("compress", CompressCommand::run);
        c.put("decompress", DecompressCommand::run);
        c.put("info", InfoCommand::run);
        c.put("eval", EvalCommand::run);
        c.put("bench", BenchCommand::run);
        return c;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    public static int run(String[] args, PrintStream err) {
        Map<String, Command> cmds = commands();
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            err.println("usage: sodec <command> [args]; commands: " + String.join(", ", cmds.keySet()));
            return args.length == 0 ? 2 : 0;
        }
        Command cmd = cmds.get(args[0]);
        if (cmd == null) {
            err.println("sodec: unknown command '" + args[0] + "' (commands: " + String.join(", ", cmds.keySet()) + ")");
            return 2;
        }
        try {
            return cmd.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (UsageException e) {
            err.println("sodec " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("sodec " + args[0] + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("SODEC_DEBUG") != null) e.printStackTrace(err);
            return 1;
        }
    }
}
