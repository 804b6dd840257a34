package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bias and residual put into each C tile before the product ({@link CpuTileInit}) give the bits of the pass that
 * used to fill the whole output first (y = residual, y = y + bias, then the product accumulated onto y), on the
 * whole-K path (a packed operand) and the K-block loop (both per call), for a conv's per-row and a linear's
 * per-column bias, at 1 and 3 threads.
 */
class CpuTileInitTest {
    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return v;
    }

    @ParameterizedTest
    // m, n, k, whether B is a packed weight (whole-K path), whether a residual comes with the bias
    @CsvSource({"40, 200, 1100, true, true", "40, 200, 1100, true, false", "70, 300, 700, false, true",
            "70, 300, 700, false, false", "1000, 20, 1100, false, true", "9, 33, 17, true, true"})
    void tileInitGivesTheWholeOutputPrefillsBits(int m, int n, int k, boolean packed, boolean withResidual) {
        SplittableRandom rnd = new SplittableRandom(m * 131L + n * 17L + k + (packed ? 1 : 0));
        float[] a = random(rnd, m * k), b = random(rnd, n * k), res = random(rnd, m * n);
        float[] rowBias = random(rnd, m), colBias = random(rnd, n);
        for (boolean perRow : new boolean[] {true, false}) {
            for (int threads : new int[] {1, 3}) {
                try (Arena arena = Arena.ofShared(); Parallel par = new Parallel(threads)) {
                    MemorySegment as = seg(arena, a), bs = seg(arena, b), r = seg(arena, res);
                    MemorySegment bias = seg(arena, perRow ? rowBias : colBias);
                    Panel pa = SegmentPanel.rowMajor(as, 0, k);
                    Panel pb = packed
                            ? PackedWeight.pack(par, Tensor.fromFloats(b, n, k), GemmDriver.NR)
                            : SegmentPanel.rowMajor(bs, 0, k);
                    // before: the whole output filled first, then the product accumulated onto it
                    MemorySegment expected = arena.allocate((long) m * n * 4, 64);
                    if (withResidual) MemorySegment.copy(r, 0, expected, 0, expected.byteSize());
                    for (int i = 0; i < m; i++) {
                        if (perRow && withResidual) {
                            CpuLoops.INSTANCE.addScalar(expected, expected, (long) i * n, n, rowBias[i]);
                        } else if (perRow) {
                            CpuLoops.INSTANCE.fill(expected, (long) i * n, n, rowBias[i]);
                        } else if (withResidual) {
                            CpuLoops.INSTANCE.addInPlace(expected, (long) i * n, bias, 0, n);
                        } else {
                            MemorySegment.copy(bias, 0, expected, (long) i * n * 4, (long) n * 4);
                        }
                    }
                    GemmDriver.run(par, m, n, k, pa, pb, expected, 0, n, true);
                    // now: each tile filled just before its first K block
                    MemorySegment actual = arena.allocate((long) m * n * 4, 64);
                    actual.fill((byte) 0x7f);   // garbage the init must overwrite
                    CpuTileInit init = perRow
                            ? CpuTileInit.conv(withResidual ? r : null, bias, m, n)
                            : CpuTileInit.linear(withResidual ? r : null, bias, n);
                    GemmDriver.run(par, m, n, k, pa, pb, actual, 0, n, false, init, null);
                    assertArrayEquals(expected.toArray(F32_LE), actual.toArray(F32_LE),
                            (perRow ? "per-row" : "per-column") + " bias, " + threads + " threads");
                    if (pb instanceof PackedWeight w) w.free();
                }
            }
        }
    }

    private static MemorySegment seg(Arena arena, float[] v) {
        MemorySegment s = arena.allocate((long) v.length * 4, 64);
        MemorySegment.copy(v, 0, s, F32_LE, 0, v.length);
        return s;
    }
}
