package dev.sodec.codec.cli;

import dev.sodec.codec.conformance.ConformanceRunner;
import dev.sodec.codec.conformance.Kinds;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code sodec conformance DIR [--filter PREFIX[,PREFIX...]] [--backend B] [--threads N]} */
final class ConformanceCommand {
    private ConformanceCommand() {}

    static final CommandSpec SPEC = new CommandSpec("conformance", "DIR", "run a directory of golden or checkpoint"
            + " conformance cases (../shared/golden/FORMAT.md); one line per case", List.of(
            Option.valued("--filter", "PREFIX[,PREFIX...]", "run only the cases whose id starts with one of these"),
            CommonOptions.BACKEND,
            CommonOptions.THREADS), "Exits 1 when any case failed.");

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        if (a.positional().size() != 1) throw new UsageException(SPEC.usage());
        List<String> prefixes = a.get("--filter", "").isEmpty() ? List.of() : Arrays.asList(a.get("--filter", "").split(","));
        try (Backend b = Backends.create(CommonOptions.backendName(a), a.getInt("--threads", 0, 0))) {
            err.println("backend " + b.description());
            ConformanceRunner.Summary s = new ConformanceRunner(Kinds.all(), b).run(Path.of(a.positional().get(0)), prefixes, out);
            return s.count(ConformanceRunner.Status.FAIL) == 0 ? 0 : 1;
        }
    }
}
