package dev.sodec.codec.conformance;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a directory of conformance cases (shared/golden layout) and prints one line per case and a closing
 * {@code N passed, M failed, K skipped} line.
 */
public final class ConformanceRunner {
    public enum Status { PASS, FAIL, SKIP }

    public record CaseResult(String id, String kind, Status status, double relL2, double maxAbs, String detail) {}

    public record Summary(List<CaseResult> results) {
        public long count(Status s) {
            long n = 0;
            for (CaseResult r : results) if (r.status == s) n++;
            return n;
        }

        public String closingLine() {
            return count(Status.PASS) + " passed, " + count(Status.FAIL) + " failed, " + count(Status.SKIP) + " skipped";
        }
    }

    private final Kinds kinds;
    private final Backend backend;

    public ConformanceRunner(Kinds kinds, Backend backend) {
        this.kinds = kinds;
        this.backend = backend;
    }

    /** Case directories under {@code suite} (those holding a case.json), sorted by name. */
    public static List<Path> caseDirs(Path suite) throws IOException {
        if (!Files.isDirectory(suite)) throw new IOException(suite + ": not a directory of conformance cases");
        try (Stream<Path> s = Files.list(suite)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
        }
    }

    public Summary run(Path suite, List<String> prefixes, PrintStream out) throws IOException {
        List<CaseResult> results = new ArrayList<>();
        for (Path dir : caseDirs(suite)) {
            String id = dir.getFileName().toString();
            if (!prefixes.isEmpty() && prefixes.stream().noneMatch(id::startsWith)) continue;
            CaseResult r = runCase(dir);
            results.add(r);
            out.println(format(r));
            out.flush();
        }
        Summary s = new Summary(results);
        out.println(s.closingLine());
        return s;
    }

    public CaseResult runCase(Path dir) {
        String id = dir.getFileName().toString();
        String kind = "?";
        try (GoldenCase c = GoldenCase.open(dir)) {
            id = c.id();
            kind = c.kind();
            KindRunner runner = kinds.get(kind);
            if (runner == null) return new CaseResult(id, kind, Status.SKIP, Double.NaN, Double.NaN, "unsupported kind");
            Map<String, Tensor> got = runner.run(c, backend);
            double worstRel = 0, worstAbs = 0;
            List<String> failures = new ArrayList<>();
            for (String name : c.outputNames()) {
                if (!c.hasOutput(name)) continue;
                Tensor g = got.get(name);
                if (g == null && c.isOptionalOutput(name)) continue; // e.g. a checkpoint case's optional encoder aid
                if (g == null) {
                    failures.add(name + ": not produced");
                    continue;
                }
                if (!TolerancePolicy.compared(kind, name, backend.storage())) continue;
                Tensor expected = c.expected(name);
                double[] tol = TolerancePolicy.tolerance(kind, c.tolerance(name), maxAbs(expected), backend.storage());
                Comparison cmp = Comparison.compare(name, g, expected, tol[0], tol[1]);
                if (!Double.isNaN(cmp.relL2())) worstRel = Math.max(worstRel, cmp.relL2());
                if (!Double.isNaN(cmp.maxAbs())) worstAbs = Math.max(worstAbs, cmp.maxAbs());
                if (!cmp.pass()) failures.add(name + ": " + cmp.detail() + String.format(" (rel_l2 %.3e max_abs %.3e)", cmp.relL2(), cmp.maxAbs()));
            }
            return new CaseResult(id, kind, failures.isEmpty() ? Status.PASS : Status.FAIL, worstRel, worstAbs,
                    String.join("; ", failures));
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            return new CaseResult(id, kind, Status.FAIL, Double.NaN, Double.NaN,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static double maxAbs(Tensor t) {
        if (!t.dtype().isFloat()) return 0;
        double m = 0;
        for (float v : t.toFloatArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    public static String format(CaseResult r) {
        if (r.status == Status.SKIP) return String.format("%-45s %-36s SKIP: %s", r.id, r.kind, r.detail);
        return String.format("%-45s %-36s rel_l2=%.3e max_abs=%.3e %s%s", r.id, r.kind, r.relL2, r.maxAbs, r.status,
                r.detail.isEmpty() ? "" : "  " + r.detail);
    }
}
