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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The fused attention kernels against the CPU backend's attention: head dims across all
 * five kernels (8 .. 160, incl. dims that are not multiples of 32), query counts that leave partial query blocks,
 * key counts that leave partial key tiles (S = 4097 incl.), one query, cross-attention (Tq != S), mixed strided
 * layouts, logits large enough to overflow exp without the running max, and F16/BF16 storage.
 */
class AttentionKernelTest {
    private static final Eager CPU = new Eager(new CpuBackend(2));

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static void check(DType dtype, int b, int h, int tq, int s, int d, float range, float scale, double atol, double rtol) {
        long seed = 31L * d + 7L * s + tq;
        Tensor q = random(seed, -range, range, b, tq, h * d).toFloatType(dtype);
        Tensor k = random(seed + 1, -range, range, b, h, s, d).toFloatType(dtype);
        Tensor v = random(seed + 2, -1, 1, b, h, s, d).toFloatType(dtype);
        EmuSupport.Guarded o = new EmuSupport.Guarded(dtype, b, tq, h * d);
        AttentionLayout ql = AttentionLayout.tokensMajor(tq, h, d), kl = AttentionLayout.headsMajor(s, h, d);
        K.attention(dtype, addr(q), ql, addr(k), kl, addr(v), kl, o.addr(), ql, b, h, tq, s, d, scale);
        // The CPU backend takes (B, S, H*D) keys and values: the same rounded values, permuted.
        Tensor kc = k.toF32().permute(0, 2, 1, 3).contiguous().reshape(b, s, h * d);
        Tensor vc = v.toF32().permute(0, 2, 1, 3).contiguous().reshape(b, s, h * d);
        float[] expected = CPU.attention(q, kc, vc, h, scale).toFloatArray();
        assertClose(dtype + " attention b" + b + " h" + h + " tq" + tq + " s" + s + " d" + d, expected, o.floats(), atol, rtol);
    }

    @ParameterizedTest(name = "F32 B={0} H={1} Tq={2} S={3} D={4}")
    @CsvSource({
            "2, 2, 17, 33, 40",     // D 40: two chunks, the second partly idle; partial query block and key tile
            "2, 2, 17, 33, 64",
            "1, 2, 9, 70, 80",      // D 80: three chunks, 16 lanes idle in the last
            "1, 2, 9, 41, 160",     // D 160: five chunks, two queries per warp
            "1, 3, 5, 77, 64",      // cross-attention shape: few queries against 77 tokens
            "2, 1, 1, 8, 64",       // one query, shortest keys
            "1, 1, 20, 19, 8",      // one chunk
            "1, 1, 7, 100, 100",    // four chunks
    })
    void f32MatchesReference(int b, int h, int tq, int s, int d) {
        check(DType.F32, b, h, tq, s, d, 1f, (float) (1 / Math.sqrt(d)), 2e-6, 2e-5);
    }

    @Test
    void longKeySequenceWithTailTile() {
        check(DType.F32, 1, 1, 3, 4097, 64, 1f, 0.125f, 2e-6, 1e-4);
    }

    @Test
    void largeLogitsStayFinite() {
        // |logit| up to ~500: exp would overflow without the running max.
        check(DType.F32, 1, 2, 6, 50, 64, 3f, 1f, 1e-5, 1e-4);
    }

    @ParameterizedTest(name = "{0} D={1}")
    @CsvSource({"F16, 80", "F16, 40", "F16, 160", "BF16, 64", "BF16, 160"})
    void halfPrecisionStorageWithF32Accumulation(DType dtype, int d) {
        // Output rounding dominates: half an ulp of the storage type on |o| < 1, plus a little accumulation slack.
        double tol = dtype == DType.F16 ? 1e-3 : 8e-3;
        check(dtype, 1, 2, 9, 300, d, 1f, (float) (1 / Math.sqrt(d)), tol, tol);
    }

    @Test
    void resultIsBitIdenticalForAnyNumberOfConcurrentBlocks() {
        int b = 2, h = 3, tq = 21, s = 45, d = 72;
        Tensor q = random(1, -1, 1, b, tq, h * d), k = random(2, -1, 1, b, s, h * d), v = random(3, -1, 1, b, s, h * d);
        AttentionLayout ql = AttentionLayout.tokensMajor(tq, h, d), kl = AttentionLayout.tokensMajor(s, h, d);
        float[][] out = new float[2][];
        int[] workers = {1, 5};
        for (int i = 0; i < 2; i++) {
            try (EmuKernelLauncher l = new EmuKernelLauncher(workers[i])) {
                EmuSupport.Guarded o = new EmuSupport.Guarded(DType.F32, b, tq, h * d);
                new CudaKernels(l).attention(DType.F32, addr(q), ql, addr(k), kl, addr(v), kl, o.addr(), ql, b, h, tq, s, d, 0.1f);
                out[i] = o.floats();
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(out[0], out[1]);
    }

    @ParameterizedTest(name = "unfused B={0} H={1} Tq={2} S={3} D={4}")
    @CsvSource({"1, 1, 9, 70, 512", "2, 3, 5, 33, 24"})
    void unfusedPathForWideHeads(int b, int h, int tq, int s, int d) {
        Tensor q = random(d + 1L, -1, 1, b, tq, h * d), k = random(d + 2L, -1, 1, b, s, h * d), v = random(d + 3L, -1, 1, b, s, h * d);
        float scale = (float) (1 / Math.sqrt(d));
        java.lang.foreign.MemorySegment ws = java.lang.foreign.Arena.ofAuto()
                .allocate(CudaKernels.attentionUnfusedWorkspaceBytes(DType.F32, h, tq, s), 64);
        EmuSupport.Guarded o = new EmuSupport.Guarded(DType.F32, b, tq, h * d);
        K.attentionUnfused(DType.F32, addr(q), addr(k), addr(v), o.addr(), ws.address(), b, h, tq, s, d, scale);
        assertClose("unfused attention", CPU.attention(q, k, v, h, scale).toFloatArray(), o.floats(), 2e-6, 2e-5);
    }

    @Test
    void refusesUnsupportedShapes() {
        AttentionLayout l = AttentionLayout.headsMajor(4, 1, 200);
        assertThrows(IllegalArgumentException.class, () -> K.attention(DType.F32, 0, l, 0, l, 0, l, 0, l, 1, 1, 4, 4, 200, 1f));
        assertThrows(IllegalArgumentException.class, () -> K.attention(DType.F32, 0, l, 0, l, 0, l, 0, l, 1, 1, 0, 4, 64, 1f));
        assertThrows(IllegalArgumentException.class, () -> K.attention(DType.I32, 0, l, 0, l, 0, l, 0, l, 1, 1, 4, 4, 64, 1f));
    }
}
