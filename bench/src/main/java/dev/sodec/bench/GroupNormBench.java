package dev.sodec.bench;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
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
 * GroupNorm (32 groups) with the fused SiLU, as in every ResnetBlock2D: by default the SD VAE decoder's last
 * level for a 768x512 image (128 channels at 512x768), the largest norm of the decode and memory-bound.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GroupNormBench {
    @Param({"cpu"})
    public String backend;

    @Param({"128"})
    public int channels;

    @Param({"512"})
    public int height;

    @Param({"768"})
    public int width;

    @Param({"true"})
    public boolean silu;

    @Param({"2"})
    public int threads;

    private Backend b;
    private Tensor x, weight, bias;
    private Executable op;

    @Setup(Level.Trial)
    public void setup() {
        b = BackendState.open(backend, threads);
        x = BackendState.random(1, 1, channels, height, width);
        weight = BackendState.random(2, channels);
        bias = BackendState.random(3, channels);
        op = BackendState.compile(b, new Tensor[] {x}, (g, in) -> {
            Node y = g.groupNorm(in[0], 32, weight, bias, 1e-6f);
            return silu ? g.silu(y) : y;
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        b.close();
    }

    @Benchmark
    public Tensor groupNorm() {
        return op.run(x)[0];
    }

    /** Bytes moved (read for the statistics, read again and written): a memory-bound op is judged in GB/s. */
    static double bytes(int channels, int height, int width) {
        return 3.0 * 4 * channels * height * width;
    }
}
