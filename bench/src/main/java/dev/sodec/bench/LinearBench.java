package dev.sodec.bench;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A linear layer with a constant weight over few tokens, the UNet's small-M GEMMs (SD 2.1 at 256x256: 64 tokens x
 * 1280 -> 1280 at the 8x8 level), with the weight packed once ({@code prepack=true}, the CPU backend's default) or
 * on every call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LinearBench {
    @Param({"16", "64", "1024"})
    public int tokens;

    @Param({"1280"})
    public int in;

    @Param({"1280"})
    public int out;

    @Param({"2"})
    public int threads;

    @Param({"true", "false"})
    public boolean prepack;

    private CpuBackend cpu;
    private Executable op;
    private Tensor x;

    @Setup(Level.Trial)
    public void setup() {
        cpu = BackendState.cpuWith(threads, "true", prepack);
        x = BackendState.random(1, tokens, in);
        Tensor w = BackendState.random(2, out, in), b = BackendState.random(3, out);
        op = BackendState.compile(cpu, new Tensor[] {x}, (g, n) -> g.linear(n[0], w, b));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        cpu.close();
    }

    @Benchmark
    public Tensor linear() {
        return op.run(x)[0];
    }

    static double flops(int tokens, int in, int out) {
        return 2.0 * tokens * in * out;
    }
}
