package dev.sodec.bench;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.cpu.CpuGemm;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Single-thread GFLOP/s per second of CPU time the thread actually got, best of N calls. On a shared machine
 * wall-clock numbers (JMH) swing with other load; this shows what the kernels do per core when they run.
 * Usage: CpuTimeProbe [reps] (GEMM 512, 1024, 2048 and the 320-channel 64x64 3x3 conv).
 */
public final class CpuTimeProbe {
    private CpuTimeProbe() {}

    private interface Call {
        void run();
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        try (Parallel par = new Parallel(1); Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {512, 1024, 2048}) {
                long len = (long) n * n;
                MemorySegment a = arena.allocate(len * 4, 64), b = arena.allocate(len * 4, 64), c = arena.allocate(len * 4, 64);
                for (long i = 0; i < len; i++) {
                    a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7) * 0.1f);
                    b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 5) * 0.1f);
                }
                probe("sgemm " + n + "^3", GemmBench.flops(n), reps,
                        () -> CpuGemm.sgemm(par, n, n, n, a, 0, n, false, b, 0, n, false, c, 0, n, false));
            }
            Tensor x = Tensor.zeros(1, 320, 64, 64), w = Tensor.zeros(320, 320, 3, 3), bias = Tensor.zeros(320);
            try (CpuBackend one = new CpuBackend(1);
                 Executable conv = BackendState.compile(one, new Tensor[] {x}, (g, in) -> g.conv2d(in[0], w, bias, Conv2dParams.of(1, 1)))) {
                probe("conv3x3 320->320 64x64", ConvBench.flops(320, 64), reps, () -> conv.run(x));
            }
        }
    }

    private static void probe(String name, double flops, int reps, Call call) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double bestCpu = 0, bestWall = 0;
        for (int r = 0; r < reps; r++) {
            long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
            call.run();
            long c1 = mx.getCurrentThreadCpuTime(), w1 = System.nanoTime();
            bestCpu = Math.max(bestCpu, flops / ((c1 - c0) / 1e9) / 1e9);
            bestWall = Math.max(bestWall, flops / ((w1 - w0) / 1e9) / 1e9);
        }
        System.out.printf("%-26s %7.1f GFLOP/s per CPU-second   %7.1f GFLOP/s wall (best of %d)%n", name, bestCpu, bestWall, reps);
    }
}
