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
 * Multi-head attention core softmax(q k^T / sqrt(d)) v, batch 1, at the SD 2.1 UNet's first level for a 768x512
 * image by default: 96x64 = 6144 tokens, 320 channels, 5 heads of 64; {@code context} = 0 is self-attention,
 * 257 is cross-attention over the ViT-L/14 tokens (k, v 257 x 320 after the projections).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBench {
    @Param({"cpu"})
    public String backend;

    @Param({"6144"})
    public int tokens;

    @Param({"0", "257"})
    public int context;

    @Param({"320"})
    public int channels;

    @Param({"5"})
    public int heads;

    @Param({"2"})
    public int threads;

    private Backend b;
    private Tensor q, k, v;
    private Executable op;

    @Setup(Level.Trial)
    public void setup() {
        b = BackendState.open(backend, threads);
        int s = context == 0 ? tokens : context;
        q = BackendState.random(1, 1, tokens, channels);
        k = BackendState.random(2, 1, s, channels);
        v = BackendState.random(3, 1, s, channels);
        float scale = (float) (1 / Math.sqrt(channels / (double) heads));
        op = BackendState.compile(b, new Tensor[] {q, k, v}, (g, in) -> g.attention(in[0], in[1], in[2], heads, scale));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        b.close();
    }

    @Benchmark
    public Tensor attention() {
        return op.run(q, k, v)[0];
    }

    /** q k^T and p v: 2 x (2 T S C) (softmax not counted). */
    static double flops(int tokens, int context, int channels) {
        double s = context == 0 ? tokens : context;
        return 4.0 * tokens * s * channels;
    }
}
