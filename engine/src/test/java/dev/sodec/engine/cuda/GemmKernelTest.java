package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.K;
import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.EmuSupport.assertClose;
import static dev.sodec.engine.cuda.EmuSupport.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CUDA-core GEMM against the CPU backend's linear and matmul: tile tails in M, N and K, batches, broadcast. */
class GemmKernelTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2} bias={3}")
    @CsvSource({"1, 1, 1, true", "7, 33, 65, true", "70, 16, 5, false", "130, 40, 129, true", "3, 200, 1, true"})
    void linearMatchesCpu(int rows, int in, int out, boolean bias) {
        Tensor x = random(rows * 11L + in, -1, 1, rows, in);
        Tensor w = random(out * 13L + in, -0.5f, 0.5f, out, in);
        Tensor b = bias ? random(out, -1, 1, out) : null;
        EmuSupport.Guarded y = new EmuSupport.Guarded(DType.F32, rows, out);
        K.linear(DType.F32, addr(x), addr(w), b == null ? 0 : addr(b), y.addr(), rows, in, out);
        assertClose("linear", CPU.linear(x, w, b).toFloatArray(), y.floats(), 1e-5, 1e-5);
    }

    @ParameterizedTest(name = "batch={0} {1}x{3} times {3}x{2} broadcastB={4}")
    @CsvSource({"3, 17, 66, 9, false", "2, 65, 3, 70, true", "1, 64, 64, 16, false"})
    void matmulMatchesCpu(int batch, int m, int n, int k, boolean broadcastB) {
        Tensor a = random(m * 3L + k, -1, 1, batch, m, k);
        Tensor b = random(n * 5L + k, -1, 1, broadcastB ? 1 : batch, k, n);
        EmuSupport.Guarded c = new EmuSupport.Guarded(DType.F32, batch, m, n);
        K.gemm(DType.F32, addr(a), addr(b), c.addr(), 0, batch, m, n, k, false, false, (long) m * k,
                broadcastB ? 0 : (long) k * n, (long) m * n, 1f, 0f);
        assertClose("matmul", CPU.matmul(a, b).toFloatArray(), c.floats(), 1e-5, 1e-5);
    }

    @Test
    void transposedAAlphaBetaAndHalfStorage() {
        int m = 19, n = 23, k = 37;
        // A stored (k, m): op(A) = A^T; C = 0.5 A^T B + 2 C0
        Tensor at = random(1, -1, 1, k, m), b = random(2, -1, 1, k, n), c0 = random(3, -1, 1, m, n);
        Tensor expected = CPU.scale(CPU.matmul(CPU.transpose(at.reshape(1, k, m)), b.reshape(1, k, n)), 0.5f, 0f);
        float[] e = expected.toFloatArray(), c0v = c0.toFloatArray();
        for (int i = 0; i < e.length; i++) e[i] += 2 * c0v[i];
        EmuSupport.Guarded c = new EmuSupport.Guarded(DType.F32, m, n);
        java.lang.foreign.MemorySegment.copy(c0.data(), 0, c.tensor.data(), 0, c0.byteSize());
        K.gemm(DType.F32, addr(at), addr(b), c.addr(), 0, 1, m, n, k, true, false, 0, 0, 0, 0.5f, 2f);
        assertClose("gemm transA alpha beta", e, c.floats(), 1e-5, 1e-5);

        Tensor ah = random(4, -1, 1, m, k).toFloatType(DType.F16), wh = random(5, -1, 1, n, k).toFloatType(DType.F16);
        EmuSupport.Guarded ch = new EmuSupport.Guarded(DType.F16, m, n);
        K.linear(DType.F16, addr(ah), addr(wh), 0, ch.addr(), m, k, n);
        assertClose("linear f16", CPU.linear(ah, wh, null).toFloatArray(), ch.floats(), 5e-3, 1e-3);
    }

    @Test
    void refusesBadShapes() {
        // batches writing the same C, a leading dimension shorter than a row
        assertThrows(IllegalArgumentException.class, () -> K.gemm(DType.F32, 0, 0, 0, 0, 2, 4, 4, 4, false, false, 16, 16, 0, 1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(DType.F32, 0, 0, 0, 0, 1, 4, 4, 4, false, false, 4, 4, 3, 0, 0, 0, 1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> K.linear(DType.F32, 0, 0, 0, 0, 0, 4, 4));
    }
}
