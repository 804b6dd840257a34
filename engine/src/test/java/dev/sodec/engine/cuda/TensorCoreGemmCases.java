package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.TcSupport.check;
import static dev.sodec.engine.cuda.TcSupport.stored;
import static dev.sodec.engine.cuda.TcSupport.unitRoundoff;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cases of the tensor-core GEMM (tc_gemm.cu) against the CPU backend (emulator: TensorCoreGemmTest, GPU:
 * TensorCoreGpuTest): linear layers with every epilogue, M / N / K tails
 * (rows not a multiple of 128, out features not a multiple of 64 or 8, in features not a multiple of 32), batched
 * strided GEMMs with B stored k x n (partial 16-byte chunks along N and K), and the F32-output form the wide
 * attention uses. Tolerance as TensorCoreConvTest: u |ref| + 1e-4 (one rounding to the storage type after F32
 * accumulation); F32 output: 1e-5 (accumulation order only).
 */
abstract class TensorCoreGemmCases extends TcCases {

    @ParameterizedTest(name = "{0} rows={1} in={2} out={3} {4} bias={5} res={6}")
    @CsvSource({
            "F16,  130, 40, 70, gelu_tanh,  true,  false",   // 2 row tiles, K = 32 + 8, 2 column tiles
            "BF16,   5, 24,  9, quick_gelu, false, true",    // out 9: a partial 8-column chunk
            "F16,    1, 64, 64, silu,       true,  true",
            "BF16,  67, 16, 20, leaky,      true,  false",
    })
    void linearMatchesCpu(DType t, int rows, int in, int out, String act, boolean bias, boolean residual) {
        long seed = 17L * rows + in + 3L * out;
        Tensor x = stored(t, seed, -1, 1, rows, in), w = stored(t, seed + 1, -0.5f, 0.5f, out, in);
        Tensor b = bias ? stored(t, seed + 2, -1, 1, out) : null;
        Tensor res = residual ? stored(t, seed + 3, -1, 1, rows, out) : null;
        TensorCoreEpilogue e = TcSupport.epilogue(act);
        if (residual) e = e.withResidual(dev.put(res)).withOutScale(0.75f);
        Tensor acc = cpu.linear(x.toF32(), w.toF32(), b == null ? null : b.toF32());
        Tensor expected = TcSupport.epilogue(cpu, acc, e, res == null ? null : res.toF32());
        TcDevice.Out y = dev.out(t, rows, out);
        dev.tc.linear(t, dev.put(x), dev.put(w), b == null ? 0 : dev.put(b), y.address, rows, in, out, e);
        check(gpu() + "linear " + t + " " + rows + "x" + in + "->" + out + " " + act + (residual ? "+res" : ""),
                expected.toFloatArray(), y.floats(), 1e-4, unitRoundoff(t));
    }

    @ParameterizedTest(name = "{0} batch={1} m={2} n={3} k={4}")
    @CsvSource({"F16, 3, 17, 20, 37", "BF16, 2, 130, 9, 70"})
    void batchedKnGemmWithPaddedLeadingDimensions(DType t, int batch, int m, int n, int k) {
        // A (batch, m, lda) and B (batch, k, ldb) with row padding; C contiguous (batch, m, n)
        int lda = (k + 7) / 8 * 8 + 8, ldb = (n + 7) / 8 * 8;
        Tensor a = stored(t, 1, -1, 1, batch, m, lda), b = stored(t, 2, -1, 1, batch, k, ldb);
        Tensor aUsed = a.toF32().slice(2, 0, k).contiguous(), bUsed = b.toF32().slice(2, 0, n).contiguous();
        Tensor expected = cpu.scale(cpu.matmul(aUsed, bUsed), 0.5f, 0f);
        TcDevice.Out c = dev.out(t, batch, m, n);
        dev.tc.gemm(t, true, false, dev.put(a), dev.put(b), 0, c.address, batch, m, n, k, lda, ldb, n, (long) m * lda, (long) k * ldb,
                (long) m * n, 0.5f, TensorCoreEpilogue.NONE);
        check(gpu() + "gemm kn " + t + " b" + batch + " " + m + "x" + n + "x" + k, expected.toFloatArray(), c.floats(), 1e-4, unitRoundoff(t));
    }

    @Test
    void f32OutputKeepsTheAccumulator() {
        // scores-like: A (m, k) B (n, k)^T * alpha, F32 out: no rounding to 16 bits, even for values past F16's range
        int m = 33, n = 45, k = 24;
        DType t = DType.F16;
        Tensor a = stored(t, 3, -200, 200, m, k), b = stored(t, 4, -200, 200, n, k);
        Tensor expected = cpu.scale(cpu.linear(a.toF32(), b.toF32(), null), 2f, 0f);
        float max = 0;
        for (float v : expected.toFloatArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max > 65504, "the test needs products past F16's range, max " + max);
        TcDevice.Out c = dev.out(DType.F32, m, n);
        dev.tc.gemm(t, false, true, dev.put(a), dev.put(b), 0, c.address, 1, m, n, k, k, k, n, 0, 0, 0, 2f, TensorCoreEpilogue.NONE);
        check(gpu() + "gemm nk f16 -> f32 out (|C| > 65504)", expected.toFloatArray(), c.floats(), 1e-5 * max, 1e-6);
    }

    private String gpu() {
        return dev.emulated ? "" : "gpu ";
    }
}
