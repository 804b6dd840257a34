package dev.sodec.bench;

import dev.sodec.engine.cpu.CpuGemm;
import dev.sodec.engine.cpu.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

/** Square F32 GEMM C = A x B (no transposes) through {@link CpuGemm}; 2 n^3 FLOP per call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {
    @Param({"512", "2048"})
    public int n;

    @Param({"2"})
    public int threads;

    private Parallel par;
    private Arena arena;
    private MemorySegment a, b, c;

    @Setup(Level.Trial)
    public void setup() {
        par = new Parallel(threads);
        arena = Arena.ofShared();
        long len = (long) n * n;
        a = arena.allocate(len * 4, 64);
        b = arena.allocate(len * 4, 64);
        c = arena.allocate(len * 4, 64);
        SplittableRandom rnd = new SplittableRandom(1);
        for (long i = 0; i < len; i++) {
            a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble());
            b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment sgemm() {
        CpuGemm.sgemm(par, n, n, n, a, 0, n, false, b, 0, n, false, c, 0, n, false);
        return c;
    }

    static double flops(int n) {
        return 2.0 * n * n * n;
    }
}
