package dev.sodec.bench;

import dev.sodec.engine.backend.Conv2dParams;
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

/** 3x3 stride-1 pad-1 conv, batch 1, SD UNet size by default (320 -> 320 channels at 64x64), by im2col GEMM or Winograd. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBench {
    @Param({"320"})
    public int channels;

    @Param({"64"})
    public int size;

    @Param({"2"})
    public int threads;

    /**
     * How the CPU backend runs the conv: {@code winograd} (its default where eligible: F(4x4) or, for 128+ channels
     * from a 16x16 output, F(2x2)), {@code winograd-wide} (its {@code sodec.cpu.winograd=wide} reach: F(4x4) for 128+
     * channels from a 16x16 output), {@code im2col} (the
     * weight packed once, its default elsewhere) or {@code im2col-percall} (the weight packed on every call, as
     * before PackedWeight). A conv outside the chosen reach runs by im2col whatever this says.
     */
    @Param({"im2col", "winograd"})
    public String algo;

    private CpuBackend cpu;
    private Executable op;
    private Tensor x, w, bias;
    private final Conv2dParams p = Conv2dParams.of(1, 1);

    @Setup(Level.Trial)
    public void setup() {
        String reach = switch (algo) {
            case "winograd" -> "true";
            case "winograd-wide" -> "wide";
            case "im2col", "im2col-percall" -> "false";
            default -> throw new IllegalArgumentException("algo: " + algo);
        };
        cpu = BackendState.cpuWith(threads, reach, !algo.equals("im2col-percall"));
        SplittableRandom rnd = new SplittableRandom(2);
        x = random(rnd, 1, channels, size, size);
        w = random(rnd, channels, channels, 3, 3);
        bias = random(rnd, channels);
        op = BackendState.compile(cpu, new Tensor[] {x}, (g, in) -> g.conv2d(in[0], w, bias, p));
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() - 0.5);
        return Tensor.fromFloats(v, shape);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        cpu.close();
    }

    @Benchmark
    public Tensor conv3x3() {
        return op.run(x)[0];
    }

    static double flops(int channels, int size) {
        return 2.0 * channels * channels * 9 * size * size;
    }
}
