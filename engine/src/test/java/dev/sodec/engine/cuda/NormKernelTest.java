package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.K;
import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LayerNorm and GroupNorm(+SiLU) against the CPU backend (torch semantics: biased variance, eps inside the square
 * root). GroupNorm runs with one block per group and with several cooperating
 * blocks per group, whose partial statistics are merged in a fixed order: the result must not depend on the
 * number of concurrently running blocks.
 */
class NormKernelTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static float[] layerNormRef(Tensor x, Tensor g, Tensor b, float eps) {
        return CPU.layerNorm(x, g, b, eps).toFloatArray();
    }

    /** x - by, elementwise (exact in F32 when every x is within a factor 2 of by). */
    private static Tensor shifted(Tensor x, float by) {
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] -= by;
        return Tensor.fromFloats(v, x.shape());
    }

    private static float[] groupNormRef(Tensor x, int groups, Tensor g, Tensor b, float eps, boolean silu) {
        return CPU.groupNorm(x, groups, g, b, eps, silu).toFloatArray();
    }

    @ParameterizedTest(name = "rows={0} cols={1} affine={2}")
    @CsvSource({"3, 1, true", "5, 7, true", "4, 77, false", "2, 1000, true", "1, 1024, true", "6, 33, true"})
    void layerNormMatchesReference(int rows, int cols, boolean affine) {
        Tensor x = random(rows * 31L + cols, -3, 5, rows, cols);
        Tensor g = random(cols, 0.5f, 1.5f, cols), b = random(cols + 1L, -1, 1, cols);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, rows, cols);
        K.layerNorm(DType.F32, addr(x), y.addr(), affine ? addr(g) : 0, affine ? addr(b) : 0, rows, cols, 1e-5f);
        float[] expected = layerNormRef(x, affine ? g : null, affine ? b : null, 1e-5f);
        assertClose("layer_norm", expected, y.floats(), 2e-5, 2e-5);
    }

    @Test
    void layerNormLargeMeanIsStable() {
        // Mean 1000, spread 1: a one-pass sum of squares in F32 would lose most digits of the variance.
        Tensor x = random(9, 999, 1001, 3, 300);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, 3, 300);
        K.layerNorm(DType.F32, addr(x), y.addr(), 0, 0, 3, 300, 1e-6f);
        // Normalisation ignores a shift: the reference normalises x - 1000 (exact in F32 for x in [999, 1001]).
        assertClose("layer_norm mean 1000", layerNormRef(shifted(x, 1000), null, null, 1e-6f), y.floats(), 3e-3, 1e-3);
    }

    @Test
    void layerNormF16() {
        Tensor x = random(4, -2, 2, 4, 320).toFloatType(DType.F16);
        Tensor g = random(5, 0.5f, 1.5f, 320).toFloatType(DType.F16), b = random(6, -1, 1, 320).toFloatType(DType.F16);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F16, 4, 320);
        K.layerNorm(DType.F16, addr(x), y.addr(), addr(g), addr(b), 4, 320, 1e-5f);
        float[] expected = layerNormRef(x, g, b, 1e-5f);
        assertClose("layer_norm f16", expected, y.floats(), 4e-3, 2e-3);
    }

    private static float[] runGroupNorm(DType dtype, EmuKernelLauncher launcher, Tensor x, Tensor g, Tensor b, int n, int c,
                                        int groups, int hw, boolean silu, int chunks) {
        CudaKernels k = new CudaKernels(launcher);
        MemorySegment ws = Arena.ofAuto().allocate(CudaKernels.groupNormWorkspaceBytes(n, groups, chunks), 16);
        EmuSupport.Guarded y = new EmuSupport.Guarded(dtype, n, c, hw);
        k.groupNorm(dtype, addr(x), y.addr(), g == null ? 0 : addr(g), b == null ? 0 : addr(b), ws.address(), n, c,
                groups, hw, 1e-6f, silu, chunks);
        return y.floats();
    }

    @ParameterizedTest(name = "N={0} C={1} G={2} HW={3} silu={4} chunks={5}")
    @CsvSource({
            "1, 4, 2, 1, false, 1",        // two elements per group
            "2, 12, 4, 37, true, 1",       // one block per group; 111 elements per group (odd tail)
            "2, 12, 4, 37, true, 5",       // five cooperating blocks per group; 23-element chunks
            "1, 32, 8, 300, false, 7",     // 1200-element groups over 7 blocks (uneven last chunk)
            "1, 6, 3, 1000, true, 64",     // many small chunks
            "3, 10, 5, 13, true, 3",
    })
    void groupNormMatchesReference(int n, int c, int groups, int hw, boolean silu, int chunks) {
        Tensor x = random(c * 13L + hw, -2, 3, n, c, hw);
        Tensor g = random(c, 0.5f, 1.5f, c), b = random(c + 1L, -1, 1, c);
        float[] y = runGroupNorm(DType.F32, EmuSupport.EMU, x, g, b, n, c, groups, hw, silu, chunks);
        float[] expected = groupNormRef(x, groups, g, b, 1e-6f, silu);
        assertClose("group_norm", expected, y, 2e-5, 2e-5);
    }

    @Test
    void groupNormWithoutAffineAndDefaultChunks() {
        int n = 1, c = 8, groups = 2, hw = 40_000;   // 160k-element groups: the heuristic picks several chunks
        Tensor x = random(77, 10, 12, n, c, hw);     // offset mean: the Welford merge keeps the variance accurate
        CudaKernels k = EmuSupport.K;
        int chunks = CudaKernels.groupNormChunks((long) c / groups * hw);
        MemorySegment ws = Arena.ofAuto().allocate(CudaKernels.groupNormWorkspaceBytes(n, groups, chunks), 16);
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, n, c, hw);
        k.groupNorm(DType.F32, addr(x), y.addr(), 0, 0, ws.address(), n, c, groups, hw, 1e-6f, false);
        assertClose("group_norm default chunks", groupNormRef(shifted(x, 11), groups, null, null, 1e-6f, false),
                y.floats(), 1e-4, 1e-4);
    }

    @Test
    void groupNormIsIdenticalForAnyNumberOfConcurrentBlocks() {
        Tensor x = random(3, -2, 3, 2, 16, 500);
        Tensor g = random(4, 0.5f, 1.5f, 16), b = random(5, -1, 1, 16);
        float[] one, many;
        try (EmuKernelLauncher sequential = new EmuKernelLauncher(1); EmuKernelLauncher parallel = new EmuKernelLauncher(6)) {
            one = runGroupNorm(DType.F32, sequential, x, g, b, 2, 16, 4, 500, true, 9);
            many = runGroupNorm(DType.F32, parallel, x, g, b, 2, 16, 4, 500, true, 9);
        }
        assertArrayEquals(one, many);
    }

    @Test
    void groupNormBf16() {
        Tensor x = random(8, -2, 2, 1, 8, 50).toFloatType(DType.BF16);
        Tensor g = random(9, 0.5f, 1.5f, 8).toFloatType(DType.BF16), b = random(10, -1, 1, 8).toFloatType(DType.BF16);
        float[] y = runGroupNorm(DType.BF16, EmuSupport.EMU, x, g, b, 1, 8, 4, 50, true, 3);
        float[] expected = groupNormRef(x, 4, g, b, 1e-6f, true);
        assertClose("group_norm bf16", expected, y, 2e-2, 8e-3);
    }

    @Test
    void refusesBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> K.groupNorm(DType.F32, 0, 0, 0, 0, 0, 1, 10, 4, 5, 1e-5f, false, 1));
        assertThrows(IllegalArgumentException.class, () -> K.groupNorm(DType.F32, 0, 0, 0, 0, 0, 1, 8, 4, 0, 1e-5f, false, 1));
        assertThrows(IllegalArgumentException.class, () -> K.layerNorm(DType.F32, 0, 0, 0, 0, 0, 5, 1e-5f));
    }
}
