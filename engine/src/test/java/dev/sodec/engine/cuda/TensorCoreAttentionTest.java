package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.addr;
import static dev.sodec.engine.cuda.TcSupport.TC;
import static dev.sodec.engine.cuda.TcSupport.check;
import static dev.sodec.engine.cuda.TcSupport.scratch;
import static dev.sodec.engine.cuda.TcSupport.stored;
import static dev.sodec.engine.cuda.TcSupport.unitRoundoff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tensor-core attention against the CPU backend's attention: the fused flash kernel (tc_attention.cu) for head
 * dims 8..160 (every padded-dim kernel family: 16, 48, 64, 80, 96, 128, 160, plus 120 with padded columns), query
 * counts that leave partial 64-query blocks, key counts that leave partial 64- or 32-key tiles, cross-attention,
 * tokens-major and heads-major K/V, logits large enough to need the running max; and the wide-head path (scores in
 * F32, softmax, P V) for the 512-wide single head of the VAE mid-block, chunked queries, a batch of windows, and
 * logits past F16's range.
 *
 * <p>Tolerance: P is rounded to the storage type before P V (relative error u per probability, u = 2^-11 F16,
 * 2^-8 BF16) and O is rounded once: |o - ref| <= u max|v| + u |ref| + 1e-4, plus, for large logits, the F32 logit
 * rounding carried through exp: 2^-22 scale d range^2 max|v| (logits of magnitude L are only known to ~L 2^-23).
 */
class TensorCoreAttentionTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private record Inputs(Tensor q, Tensor k, Tensor v, Tensor kTokens, Tensor vTokens, AttentionLayout ql, AttentionLayout kl) {}

    /** q (b, tq, h d); k, v heads-major (b, h, s, d) or tokens-major (b, s, h d); CPU copies tokens-major in F32. */
    private static Inputs inputs(DType t, int b, int h, int tq, int s, int d, float range, boolean kvHeadsMajor, long seed) {
        Tensor q = stored(t, seed, -range, range, b, tq, h * d);
        Tensor k = kvHeadsMajor ? stored(t, seed + 1, -range, range, b, h, s, d) : stored(t, seed + 1, -range, range, b, s, h * d);
        Tensor v = kvHeadsMajor ? stored(t, seed + 2, -1, 1, b, h, s, d) : stored(t, seed + 2, -1, 1, b, s, h * d);
        Tensor kt = kvHeadsMajor ? k.toF32().permute(0, 2, 1, 3).contiguous().reshape(b, s, h * d) : k.toF32();
        Tensor vt = kvHeadsMajor ? v.toF32().permute(0, 2, 1, 3).contiguous().reshape(b, s, h * d) : v.toF32();
        AttentionLayout kl = kvHeadsMajor ? AttentionLayout.headsMajor(s, h, d) : AttentionLayout.tokensMajor(s, h, d);
        return new Inputs(q, k, v, kt, vt, AttentionLayout.tokensMajor(tq, h, d), kl);
    }

    private static double atol(DType t, int d, float range, float scale) {
        double u = unitRoundoff(t);
        return u + 1e-4 + Math.scalb(1.0, -22) * scale * d * range * range;
    }

    private static void fused(DType t, int b, int h, int tq, int s, int d, float range, float scale, boolean kvHeadsMajor) {
        Inputs in = inputs(t, b, h, tq, s, d, range, kvHeadsMajor, 13L * d + 5L * s + tq);
        EmuSupport.Guarded o = new EmuSupport.Guarded(t, b, tq, h * d);
        TC.attention(t, addr(in.q), in.ql, addr(in.k), in.kl, addr(in.v), in.kl, o.addr(), in.ql, b, h, tq, s, d, scale);
        float[] expected = CPU.attention(in.q.toF32(), in.kTokens, in.vTokens, h, scale).toFloatArray();
        check("flash " + t + " b" + b + " h" + h + " tq" + tq + " s" + s + " d" + d + (kvHeadsMajor ? " kv-heads-major" : "")
                + (range > 1 ? " range " + range : ""), expected, o.floats(), atol(t, d, range, scale), unitRoundoff(t));
    }

    @ParameterizedTest(name = "{0} B={1} H={2} Tq={3} S={4} D={5} kvHeadsMajor={6}")
    @CsvSource({
            "F16,  2, 3, 17,  33,   8, false",   // OneDC's 8-wide heads (padded to 16)
            "BF16, 1, 2, 70, 100,  40, true",    // SD 1.5 level 1: D 40 (padded 48); 2 query blocks, 64-key tail
            "F16,  1, 2, 65,  77,  64, false",   // cross-attention against 77 tokens
            "BF16, 1, 1, 20, 129,  80, true",    // D 80 (SD 2.1 level 2): three 64-key tiles
            "F16,  1, 2,  9,  40,  96, true",    // 32-key tiles from here on
            "BF16, 1, 1, 33,  65, 128, false",
            "F16,  1, 2, 70,  45, 160, false",   // SD 2.1 level 3 / SD 1.5 level 3: D 160
            "BF16, 1, 1, 10,  50, 120, true",    // D 120: columns 120..127 zero-filled
            "F16,  2, 1,  1,   1,  64, true",    // one query, one key
    })
    void flashMatchesCpu(DType t, int b, int h, int tq, int s, int d, boolean kvHeadsMajor) {
        fused(t, b, h, tq, s, d, 1f, (float) (1 / Math.sqrt(d)), kvHeadsMajor);
    }

    @Test
    void flashLargeLogitsNeedTheRunningMax() {
        fused(DType.F16, 1, 2, 20, 70, 64, 16f, 1f, false);   // |logit| up to ~16000: exp overflows without the max
    }

    private static void wide(DType t, int b, int h, int tq, int s, int d, float range, float scale, long workspaceQueries) {
        Inputs in = inputs(t, b, h, tq, s, d, range, false, 7L * d + s + tq);
        EmuSupport.Guarded o = new EmuSupport.Guarded(t, b, tq, h * d);
        long ws = TensorCoreKernels.wideAttentionWorkspaceBytes(h, (int) workspaceQueries, s);
        try (Arena arena = Arena.ofConfined()) {
            TC.attentionWide(t, addr(in.q), in.ql, addr(in.k), in.kl, addr(in.v), in.kl, o.addr(), in.ql, b, h, tq, s, d, scale,
                    scratch(arena, ws), ws);
        }
        float[] expected = CPU.attention(in.q.toF32(), in.kTokens, in.vTokens, h, scale).toFloatArray();
        check("wide " + t + " b" + b + " h" + h + " tq" + tq + " s" + s + " d" + d + " chunk " + Math.min(workspaceQueries, tq)
                + (range > 1 ? " range " + range : ""), expected, o.floats(), atol(t, d, range, scale), unitRoundoff(t));
    }

    @ParameterizedTest(name = "{0} B={1} H={2} Tq={3} S={4} D={5} chunk={6}")
    @CsvSource({
            "F16,  1, 1,  70,  70, 512,  70",   // the VAE mid-block's single head (tiny latent)
            "BF16, 1, 1, 300,  90, 512, 128",   // queries in chunks of 128, 128, 44
            "F16,  4, 1,  49,  49, 200,  49",   // a batch of 7x7 windows, head 200 (> 160)
            "BF16, 2, 2,  19,  23,  24,  19",   // any head dim that is a multiple of 8
    })
    void wideMatchesCpu(DType t, int b, int h, int tq, int s, int d, int chunk) {
        wide(t, b, h, tq, s, d, 1f, (float) (1 / Math.sqrt(d)), chunk);
    }

    @Test
    void wideScoresPastF16RangeStayF32() {
        // |logit| up to 12 * 12 * 512 = 73728 > 65504: scores stored as F16 would be inf and the softmax NaN.
        wide(DType.F16, 1, 1, 30, 40, 512, 12f, 1f, 30);
    }

    @Test
    void queryChunkFollowsTheWorkspace() {
        long one = TensorCoreKernels.wideAttentionWorkspaceBytes(1, 1, 6144);
        assertEquals(6144, TensorCoreKernels.wideAttentionQueryChunk(Long.MAX_VALUE / 4, 1, 6144, 6144));
        assertEquals(1, TensorCoreKernels.wideAttentionQueryChunk(one, 1, 6144, 6144));
        assertEquals(256, TensorCoreKernels.wideAttentionQueryChunk(300 * (one - 256) + 256, 1, 6144, 6144));
        assertEquals(0, TensorCoreKernels.wideAttentionQueryChunk(one - 300, 1, 6144, 6144));
    }

    @Test
    void predicatesRefuseWhatTheKernelsDoNotHandle() {
        AttentionLayout l = AttentionLayout.tokensMajor(16, 2, 64);
        assertNull(TensorCoreKernels.attentionUnsupported(DType.F16, 1, 2, 64, l, l, l, l));
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.F16, 1, 2, 36, l, l, l, l).contains("multiples of 8"));
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.F16, 1, 1, 168, l, l, l, l).contains("160"));
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.F32, 1, 2, 64, l, l, l, l).contains("F16 or BF16"));
        AttentionLayout odd = new AttentionLayout(1000, 60, 124);   // head stride 60: rows not 16-byte aligned
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.BF16, 1, 2, 64, l, odd, l, l).contains("multiples of 8"));
        assertNull(TensorCoreKernels.wideAttentionUnsupported(DType.BF16, 1, 4096, 512, l, l, l, l));
        assertTrue(TensorCoreKernels.wideAttentionUnsupported(DType.BF16, 1, 4096, 500, l, l, l, l).contains("multiples of 8"));
        assertThrows(IllegalArgumentException.class, () -> TC.attention(DType.F16, 0, l, 0, l, 0, l, 0, l, 1, 1, 4, 4, 36, 1f));
        assertThrows(IllegalArgumentException.class, () -> TC.attentionWide(DType.F16, 0, l, 0, l, 0, l, 0, l, 1, 1, 4, 4, 64, 1f, 0, 16));
    }
}
