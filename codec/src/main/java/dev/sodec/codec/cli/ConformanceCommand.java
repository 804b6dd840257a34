package dev.sodec.codec.cli;

import dev.sodec.codec.conformance.ConformanceRunner;
import dev.sodec.codec.conformance.Kinds;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** {@code sodec conformance DIR [--filter PREFIX[,PREFIX...]] [--backend B] [--threads N]} */
final class ConformanceCommand {
    private ConformanceCommand() {}

    static int run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--filter", "--backend", "--threads"), Set.of());
        if (a.positional().size() != 1) throw new UsageException("usage: sodec conformance DIR [--filter PREFIX[,PREFIX...]] [--backend cpu|cuda|cuda-emulated[:f16|:bf16]] [--threads N]");
        List<String> prefixes = a.get("--filter", "").isEmpty() ? List.of() : Arrays.asList(a.get("--filter", "").split(","));
        try (Backend b = Backends.create(a.get("--backend", Backends.DEFAULT), a.getInt("--threads", 0))) {
            System.err.println("backend " + b.description());
            ConformanceRunner.Summary s = new ConformanceRunner(Kinds.all(), b).run(Path.of(a.positional().get(0)), prefixes, System.out);
            return s.count(ConformanceRunner.Status.FAIL) == 0 ? 0 : 1;
        }
    }
}
