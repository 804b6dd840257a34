package dev.sodec.bench;

import java.util.Collection;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH (same command-line options as org.openjdk.jmh.Main) and then prints each GEMM/conv result as
 * GFLOP/s (GEMM, conv, attention, GDN; group norm and rANS are memory/branch bound and reported as time only).
 * With no benchmark pattern it runs GemmBench and ConvBench.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions opts = new CommandLineOptions(args);
        if (opts.getIncludes().isEmpty()) {
            String[] withDefault = new String[args.length + 1];
            System.arraycopy(args, 0, withDefault, 0, args.length);
            withDefault[args.length] = "dev.sodec.bench.(GemmBench|ConvBench)";
            opts = new CommandLineOptions(withDefault);
        }
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println();
        System.out.println("Benchmark                          params                          time        GFLOP/s");
        for (RunResult r : results) {
            BenchmarkParams bp = r.getParams();
            double flops = flops(bp);
            double score = r.getPrimaryResult().getScore();
            String unit = r.getPrimaryResult().getScoreUnit();
            double seconds = score * switch (unit) {
                case "s/op" -> 1.0;
                case "ms/op" -> 1e-3;
                case "us/op" -> 1e-6;
                case "ns/op" -> 1e-9;
                default -> Double.NaN; // throughput modes: no per-call time
            };
            String gflops = Double.isNaN(flops) || Double.isNaN(seconds) ? "-" : String.format("%.1f", flops / seconds / 1e9);
            StringBuilder ps = new StringBuilder();
            for (String k : bp.getParamsKeys()) ps.append(k).append('=').append(bp.getParam(k)).append(' ');
            System.out.printf("%-34s %-31s %8.3f %-6s %s%n", bp.getBenchmark().replace("dev.sodec.bench.", ""), ps, score, unit, gflops);
        }
    }

    private static double flops(BenchmarkParams bp) {
        String name = bp.getBenchmark();
        if (name.endsWith("GemmBench.sgemm")) return GemmBench.flops(Integer.parseInt(bp.getParam("n")));
        if (name.endsWith("ConvBench.conv3x3")) {
            return ConvBench.flops(Integer.parseInt(bp.getParam("channels")), Integer.parseInt(bp.getParam("size")));
        }
        if (name.endsWith("LinearBench.linear")) {
            return LinearBench.flops(Integer.parseInt(bp.getParam("tokens")), Integer.parseInt(bp.getParam("in")),
                    Integer.parseInt(bp.getParam("out")));
        }
        if (name.endsWith("AttentionBench.attention")) {
            return AttentionBench.flops(Integer.parseInt(bp.getParam("tokens")), Integer.parseInt(bp.getParam("context")),
                    Integer.parseInt(bp.getParam("channels")));
        }
        if (name.endsWith("GdnBench.gdn")) {
            return GdnBench.flops(Integer.parseInt(bp.getParam("channels")), Integer.parseInt(bp.getParam("height")),
                    Integer.parseInt(bp.getParam("width")));
        }
        return Double.NaN;
    }
}
