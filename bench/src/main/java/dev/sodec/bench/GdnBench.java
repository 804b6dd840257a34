package dev.sodec.bench;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.graph.Executable;
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
 * GDN / inverse GDN over (1, C, H, W), the layers of g_a and g_s. For a 768x512 image g_s's three IGDNs run at
 * 64x96, 128x192 and 256x384 with N channels; the default is the middle one at N = 192.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GdnBench {
    @Param({"cpu"})
    public String backend;

    @Param({"192"})
    public int channels;

    @Param({"128"})
    public int height;

    @Param({"192"})
    public int width;

    @Param({"true"})
    public boolean inverse;

    @Param({"2"})
    public int threads;

    private Backend b;
    private Tensor x, beta, gamma;
    private Executable op;

    @Setup(Level.Trial)
    public void setup() {
        b = BackendState.open(backend, threads);
        x = BackendState.random(1, 1, channels, height, width);
        float[] be = new float[channels], g = new float[channels * channels];
        java.util.Arrays.fill(be, 1f);
        for (int i = 0; i < channels; i++) g[i * channels + i] = 0.1f;
        beta = Tensor.fromFloats(be, channels);
        gamma = Tensor.fromFloats(g, channels, channels);
        op = BackendState.compile(b, new Tensor[] {x}, (gr, in) -> gr.gdn(in[0], beta, gamma, inverse));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        b.close();
    }

    @Benchmark
    public Tensor gdn() {
        return op.run(x)[0];
    }

    /** The C x C mixing of x^2 per pixel dominates: 2 C^2 H W. */
    static double flops(int channels, int height, int width) {
        return 2.0 * channels * channels * height * width;
    }
}
