package dev.sodec.codec.cli;

import dev.sodec.engine.graph.Profile;
import dev.sodec.codec.bench.PipelineBench;
import dev.sodec.codec.bench.OneDcBench;
import dev.sodec.codec.bench.RandomModel;
import dev.sodec.codec.bench.RandomOneDc;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.Padding;
import dev.sodec.codec.image.Pixels;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * {@code sodec bench}: encode and decode latency per stage (median, min, max over the runs), bits per pixel and
 * peak memory, as a table or {@code --json}. With no {@code --model} it builds a random-weight model of SD 2.1 size
 * ({@code --random sd21}, or {@code tiny}, or {@code --random-config FILE}), or of OneDC's released size
 * ({@code --random onedc}, or {@code onedc-tiny}), so speed can be measured without weights; with {@code --model FILE}
 * it times that model: a OneDC model file, a full SODEC model file or a compression-only one. {@code --profile}
 * adds the time per op type over the timed runs: count, time, share (on stderr).
 */
final class BenchCommand {
    static final String USAGE = "usage: sodec bench [--model M.safetensors | --random sd21|tiny|onedc|onedc-tiny | --random-config C.json]"
            + " [--image I | --size WxH] [--backend cpu] [--threads N] [--warmup N] [--runs N] [--seed S] [--json] [--profile]";

    private BenchCommand() {}

    static int run(String[] argv) throws Exception {
        return run(argv, System.out, System.err);
    }

    static int run(String[] argv, PrintStream out, PrintStream log) throws Exception {
        Args a = new Args(argv, Set.of("--model", "--random", "--random-config", "--image", "--size", "--backend",
                "--threads", "--warmup", "--runs", "--seed"), Set.of("--json", "--profile"));
        if (!a.positional().isEmpty()) throw new UsageException("unexpected argument '" + a.positional().get(0) + "'; " + USAGE);
        int given = (a.flag("--model") ? 1 : 0) + (a.flag("--random") ? 1 : 0) + (a.flag("--random-config") ? 1 : 0);
        if (given > 1) throw new UsageException("give one of --model, --random, --random-config");
        if (a.flag("--image") && a.flag("--size")) throw new UsageException("give --image or --size, not both");
        int warmup = a.getInt("--warmup", 1), runs = a.getInt("--runs", 3), threads = a.getInt("--threads", 0);
        if (warmup < 0) throw new UsageException("--warmup must be >= 0, got " + warmup);
        if (runs < 1) throw new UsageException("--runs must be >= 1, got " + runs);
        if (threads < 0) throw new UsageException("--threads must be >= 0 (0 = all cores), got " + threads);
        long seed;
        try {
            seed = Long.parseLong(a.get("--seed", "1"));
        } catch (NumberFormatException e) {
            throw new UsageException("--seed expects an integer");
        }
        int[] size = parseSize(a.get("--size", "256x256"));
        String backendName = a.get("--backend", Backends.DEFAULT);

        Tensor x;
        if (a.flag("--image")) {
            var img = ImageFiles.read(Path.of(a.get("--image", null)), 1L << 26);
            x = Pixels.toTensor(img);
        } else {
            x = PipelineBench.syntheticImage(size[0], size[1]);
        }
        Profile profile = a.flag("--profile") ? new Profile() : null;
        try (Backend b = Backends.create(backendName, threads)) {
            PipelineBench.Result r;
            if (a.flag("--model")) {
                Path p = Path.of(a.get("--model", null));
                if (!Files.isRegularFile(p)) throw new UsageException("--model " + p + ": no such file");
                if (OneDcModel.isOneDc(p)) {
                    try (OneDcModel m = OneDcModel.load(p)) {
                        r = new OneDcBench(m).profiled(profile).run(b, x, warmup, runs, p.getFileName().toString(), -1);
                    }
                } else if (SodecModel.isFullModel(p)) {
                    try (SodecModel m = SodecModel.load(p)) {
                        Tensor padded = pad(x, m.compression().config().sizeMultiple());
                        r = PipelineBench.of(m).profiled(profile).run(b, padded, warmup, runs, p.getFileName().toString(), -1);
                    }
                } else {
                    try (CompressionModel m = CompressionModel.load(p)) {
                        Tensor padded = pad(x, m.config().sizeMultiple());
                        r = new PipelineBench(m, null).profiled(profile).run(b, padded, warmup, runs, p.getFileName().toString(), -1);
                    }
                }
            } else if (a.get("--random", "").startsWith("onedc")) {
                long t0 = System.nanoTime();
                RandomOneDc m = RandomOneDc.preset(a.get("--random", null), seed);
                log.printf(Locale.ROOT, "bench: built %s (%.1fM random parameters) in %.1f s%n", m.name, m.parameters / 1e6,
                        (System.nanoTime() - t0) / 1e9);
                try (OneDcModel model = m.model) {
                    r = new OneDcBench(model).profiled(profile).run(b, x, warmup, runs, m.name, m.parameters);
                }
            } else {
                long t0 = System.nanoTime();
                RandomModel m;
                if (a.flag("--random-config")) {
                    Path p = Path.of(a.get("--random-config", null));
                    if (!Files.isRegularFile(p)) throw new UsageException("--random-config " + p + ": no such file");
                    m = RandomModel.fromConfig("random:" + p.getFileName(), Config.parse(Files.readString(p), p.toString()), seed);
                } else {
                    String preset = a.get("--random", "sd21");
                    if (!preset.equals("sd21") && !preset.equals("tiny")) throw new UsageException("--random expects sd21, tiny, onedc or onedc-tiny, got '" + preset + "'");
                    m = RandomModel.preset(preset, seed);
                }
                log.printf(Locale.ROOT, "bench: built %s (%.1fM random parameters) in %.1f s%n", m.name, m.parameters / 1e6,
                        (System.nanoTime() - t0) / 1e9);
                Tensor padded = pad(x, m.compression.config().sizeMultiple());
                r = PipelineBench.of(m).profiled(profile).run(b, padded, warmup, runs, m.name, m.parameters);
            }
            out.print(a.flag("--json") ? BenchReport.json(r) : BenchReport.table(r));
            // the per-op profile goes to the log stream so --json output stays one JSON object
            if (profile != null) log.print(profile.table());
            // after the runs: the backend's description then includes the paths it chose (cuDNN or ours per conv shape)
            log.println("bench: backend " + b.description());
            if (profile != null) for (String line : b.pathReport()) log.println("bench: path " + line);
        }
        return 0;
    }

    private static Tensor pad(Tensor x, int mult) {
        Padding p = Padding.centered(x.dim(3), x.dim(2), mult);
        return p.pad(x);
    }

    static int[] parseSize(String s) throws UsageException {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int w = Integer.parseInt(p[0]), h = Integer.parseInt(p[1]);
                if (w >= 1 && h >= 1 && (long) w * h <= 1L << 26) return new int[] {w, h};
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UsageException("--size expects WIDTHxHEIGHT (positive, at most 2^26 pixels), got '" + s + "'");
    }
}
