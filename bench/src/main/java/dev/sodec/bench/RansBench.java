package dev.sodec.bench;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.GaussianConditional;
import dev.sodec.codec.entropy.RansDecoder;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread rANS throughput on realistic hyperprior latents: CompressAI's default 64-entry Gaussian scale
 * table, scales log-normally spread over about [0.1, 10] (as h_s predicts them), symbols round(N(0, scale)) with
 * an occasional outlier that takes the escape path, indexes from GaussianConditional.buildIndexes. The
 * {@code symbols} counter reports symbols per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RansBench {
    @Param({"100000", "1000000"})
    public int n;

    private CdfTables tables;
    private int[] symbols, indexes, decoded;
    private byte[] stream;
    private RansEncoder encoder;

    /** Symbols coded per second (JMH reports this counter's rate). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counter {
        public long symbols;
    }

    @Setup(Level.Trial)
    public void setup() {
        Map<String, Tensor> buffers = Map.of(
                "lower_bound_scale.bound", Tensor.fromFloats(new float[] {0.11f}, 1),
                "likelihood_lower_bound.bound", Tensor.fromFloats(new float[] {1e-9f}, 1));
        GaussianConditional gc = GaussianConditional.load(new StateDict(buffers, "bench"))
                .withScaleTable(GaussianConditional.defaultScaleTable());
        tables = gc.tables();
        SplittableRandom r = new SplittableRandom(42);
        float[] scales = new float[n];
        symbols = new int[n];
        indexes = new int[n];
        decoded = new int[n];
        for (int i = 0; i < n; i++) {
            double scale = Math.exp(r.nextDouble(-2.3, 2.3) + 0.3 * gaussian(r));
            scales[i] = (float) scale;
            symbols[i] = r.nextInt(2000) == 0 ? r.nextInt(-5000, 5000) : (int) Math.rint(scale * gaussian(r));
        }
        gc.buildIndexes(scales, 0, n, indexes, 0);
        encoder = new RansEncoder(4 * n);
        stream = encoder.encode(symbols, indexes, tables);
        RansDecoder.decode(stream, 0, stream.length, indexes, 0, n, tables, decoded, 0);
        if (!java.util.Arrays.equals(decoded, symbols)) throw new IllegalStateException("round trip failed");
        System.out.printf("%n[RansBench] n=%d: %d bytes, %.3f bits/symbol%n", n, stream.length, 8.0 * stream.length / n);
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; the bench needs only a plausible distribution.
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Benchmark
    public byte[] encode(Counter c) {
        c.symbols += n;
        return encoder.encode(symbols, indexes, tables);
    }

    @Benchmark
    public int[] decode(Counter c) {
        c.symbols += n;
        RansDecoder.decode(stream, 0, stream.length, indexes, 0, n, tables, decoded, 0);
        return decoded;
    }
}
