package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.TcSupport.check;
import static dev.sodec.engine.cuda.TcSupport.stored;
import static dev.sodec.engine.cuda.TcSupport.unitRoundoff;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cases of the tensor-core attention against the CPU backend's attention (emulator: TensorCoreAttentionTest,
 * GPU: TensorCoreGpuTest): the fused flash kernel (tc_attention.cu) for head
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
abstract class TensorCoreAttentionCases extends TcCases {

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

    private void fused(DType t, int b, int h, int tq, int s, int d, float range, float scale, boolean kvHeadsMajor) {
        Inputs in = inputs(t, b, h, tq, s, d, range, kvHeadsMajor, 13L * d + 5L * s + tq);
        TcDevice.Out o = dev.out(t, b, tq, h * d);
        dev.tc.attention(t, dev.put(in.q), in.ql, dev.put(in.k), in.kl, dev.put(in.v), in.kl, o.address, in.ql, b, h, tq, s, d, scale);
        float[] expected = cpu.attention(in.q.toF32(), in.kTokens, in.vTokens, h, scale).toFloatArray();
        check(gpu() + "flash " + t + " b" + b + " h" + h + " tq" + tq + " s" + s + " d" + d + (kvHeadsMajor ? " kv-heads-major" : "")
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

    /** The wide path with a workspace for {@code wsQueries} queries of {@code wsRows} (batch item, head) rows. */
    private void wide(DType t, int b, int h, int tq, int s, int d, float range, float scale, int wsRows, int wsQueries) {
        Inputs in = inputs(t, b, h, tq, s, d, range, false, 7L * d + s + tq);
        TcDevice.Out o = dev.out(t, b, tq, h * d);
        long ws = TensorCoreKernels.wideAttentionWorkspaceBytes(wsRows, wsQueries, s);
        dev.tc.attentionWide(t, dev.put(in.q), in.ql, dev.put(in.k), in.kl, dev.put(in.v), in.kl, o.address, in.ql, b, h, tq, s,
                d, scale, dev.alloc(ws), ws);
        float[] expected = cpu.attention(in.q.toF32(), in.kTokens, in.vTokens, h, scale).toFloatArray();
        check(gpu() + "wide " + t + " b" + b + " h" + h + " tq" + tq + " s" + s + " d" + d + " ws " + wsRows + "x" + wsQueries
                + (range > 1 ? " range " + range : ""), expected, o.floats(), atol(t, d, range, scale), unitRoundoff(t));
    }

    @ParameterizedTest(name = "{0} B={1} H={2} Tq={3} S={4} D={5} workspace={6}x{7}")
    @CsvSource({
            "F16,  1, 1,  70,  70, 512, 1,  70",   // the VAE mid-block's single head (tiny latent)
            "BF16, 1, 1, 300,  90, 512, 1, 128",   // queries in chunks of 128, 128, 44
            "F16,  4, 1,  49,  49, 200, 4,  49",   // a batch of 7x7 windows in one pass, head 200 (> 160)
            "BF16, 2, 2,  19,  23,  24, 4,  19",   // batch x heads in one pass (two-level GEMM batch)
            "F16,  3, 2,  21,  17,  40, 2,  21",   // workspace for one batch item: per-item passes
    })
    void wideMatchesCpu(DType t, int b, int h, int tq, int s, int d, int wsRows, int wsQueries) {
        wide(t, b, h, tq, s, d, 1f, (float) (1 / Math.sqrt(d)), wsRows, wsQueries);
    }

    @Test
    void windowPartitionAndMergeCoverTheImageOnce() {
        int b = 2, c = 5, h = 37, w = 21;   // 16 x 16 windows: 2 x 1 full, a right column, a bottom row, a corner
        Tensor x = stored(DType.BF16, 21, -1, 1, b, c, h, w);
        float[] xv = x.toFloatArray();
        long xd = dev.put(x);
        TcDevice.Out back = dev.out(DType.BF16, b, c, h, w);
        java.util.List<WindowRegion> regions = WindowRegion.tiling(h, w, 16);
        assertEquals(4, regions.size());
        for (WindowRegion r : regions) {
            TcDevice.Out win = dev.out(DType.BF16, b * r.windows(), c, r.wh(), r.ww());
            dev.tc.windowPartition(DType.BF16, xd, win.address, b, c, h, w, r);
            float[] expected = new float[b * r.windows() * c * r.wh() * r.ww()];
            int i = 0;
            for (int bi = 0; bi < b; bi++) {
                for (int wy = 0; wy < r.nwy(); wy++) {
                    for (int wx = 0; wx < r.nwx(); wx++) {
                        for (int ci = 0; ci < c; ci++) {
                            for (int iy = 0; iy < r.wh(); iy++) {
                                for (int ix = 0; ix < r.ww(); ix++) {
                                    int y = r.y0() + wy * r.wh() + iy, xx = r.x0() + wx * r.ww() + ix;
                                    expected[i++] = xv[((bi * c + ci) * h + y) * w + xx];
                                }
                            }
                        }
                    }
                }
            }
            check("window partition " + r, expected, win.floats(), 0, 0);
            dev.tc.windowMerge(DType.BF16, win.address, back.address, b, c, h, w, r);
        }
        check("window merge of all regions", xv, back.floats(), 0, 0);
    }

    @Test
    void wideScoresPastF16RangeStayF32() {
        // |logit| up to 12 * 12 * 512 = 73728 > 65504: scores stored as F16 would be inf and the softmax NaN.
        wide(DType.F16, 1, 1, 30, 40, 512, 12f, 1f, 1, 30);
    }

    private String gpu() {
        return dev.emulated ? "" : "gpu ";
    }
}
