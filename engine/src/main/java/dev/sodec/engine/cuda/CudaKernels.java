package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;

/**
 * Launch geometry and arguments of every kernel in kernels/src/main/cuda, over device addresses. This is the one
 * place that knows grid/block/shared-memory choices and each kernel's parameter order, so the emulator tests cover
 * exactly what the GPU backend will launch. Tensors are contiguous (NCHW images, row-major token matrices) unless a
 * method takes strides; every tensor of one call has the storage type {@code dtype} (F32, F16 or BF16; arithmetic
 * is F32 in the kernels). Sizes are validated here with messages that name the problem; addresses cannot be.
 */
public final class CudaKernels {
    // Op codes shared with elementwise.cu.
    public static final int UNARY_SILU = 0, UNARY_GELU = 1, UNARY_GELU_TANH = 2, UNARY_LEAKY_RELU = 3, UNARY_IDENTITY = 4,
            UNARY_SCALE = 5, UNARY_CLAMP = 6, UNARY_QUICK_GELU = 7;
    public static final int BINARY_ADD = 0, BINARY_MUL = 1, BINARY_SUB = 2;

    /** Dynamic shared memory a launch may use without the opt-in attribute. */
    public static final int MAX_DYNAMIC_SHARED = 48 * 1024;
    /** Head dims the attention kernels handle (one kernel per 32-wide chunk count, 1..5). */
    public static final int MAX_HEAD_DIM = 160;
    /** Widest GDN the fused kernel handles (8 pixels x C floats of shared memory). */
    public static final int MAX_GDN_CHANNELS = MAX_DYNAMIC_SHARED / (8 * 4);

    private static final int EW_THREADS = 256;
    private static final int EW_MAX_BLOCKS = 4096;   // grid-stride kernels: enough blocks to fill any current GPU
    private static final int CONV_TILE = 64, CONV_THREADS = 256;
    private static final int ATT_WARPS = 4, ATT_BK = 32;
    private static final int MAX_GRID_YZ = 65535;
    private static final long GN_TARGET_CHUNK = 16384;
    private static final int GN_MAX_CHUNKS = 1024;

    private final KernelLauncher launcher;

    public CudaKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    public KernelLauncher launcher() {
        return launcher;
    }

    static String suffix(DType t) {
        return switch (t) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            default -> throw new IllegalArgumentException("CUDA kernels store F32, F16 or BF16, not " + t);
        };
    }

    private static void positive(String what, long v) {
        if (v < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + v);
    }

    private static int gridFor(long n) {
        return (int) Math.max(1, Math.min(EW_MAX_BLOCKS, (n + EW_THREADS - 1) / EW_THREADS));
    }

    private void elementwise(String kernel, long n, KernelArgs args) {
        launcher.launch(kernel, Dim3.of(gridFor(n)), Dim3.of(EW_THREADS), 0, args);
    }

    // ---------------------------------------------------------------- elementwise

    /** y = op(x) over n elements, for the ops without parameters (SiLU, GELU, GELU-tanh, quick GELU, identity). */
    public void unary(DType t, int op, long x, long y, long n) {
        if (op == UNARY_LEAKY_RELU || op == UNARY_SCALE || op == UNARY_CLAMP) {
            throw new IllegalArgumentException("unary op " + op + " takes parameters");
        }
        unary(t, op, 0f, 0f, x, y, n);
    }

    /**
     * y = op(x) over n elements: alpha is the LeakyReLU slope, SCALE computes x * alpha + beta, CLAMP
     * min(max(x, alpha), beta) (NaN stays NaN); the other ops ignore both.
     */
    public void unary(DType t, int op, float alpha, float beta, long x, long y, long n) {
        if (op < UNARY_SILU || op > UNARY_QUICK_GELU) throw new IllegalArgumentException("unknown unary op " + op);
        if (op == UNARY_CLAMP && !(alpha <= beta)) throw new IllegalArgumentException("clamp bounds " + alpha + " > " + beta);
        if (n == 0) return;
        positive("element count", n);
        elementwise("unary_" + suffix(t), n, KernelArgs.of().ptr(x).ptr(y).i64(n).i32(op).f32(alpha).f32(beta));
    }

    /**
     * y[i] = a[i] op b[(i / inner) % bn] over n elements: b the same shape as a (inner 1, bn n), a per-channel
     * vector over NCHW (inner H*W, bn C) or a per-feature vector over rows (inner 1, bn features).
     */
    public void binary(DType t, int op, long a, long b, long y, long n, long inner, long bn) {
        if (op < BINARY_ADD || op > BINARY_SUB) throw new IllegalArgumentException("unknown binary op " + op);
        if (n == 0) return;
        positive("element count", n);
        positive("broadcast inner extent", inner);
        positive("broadcast operand length", bn);
        if (bn > n) throw new IllegalArgumentException("broadcast operand of " + bn + " elements is longer than the output (" + n + ")");
        elementwise("binary_" + suffix(t), n, KernelArgs.of().ptr(a).ptr(b).ptr(y).i64(n).i64(inner).i64(bn).i32(op));
    }

    /** diffusers GEGLU: x (rows, 2d) -> y (rows, d) = x[:, :d] * gelu(x[:, d:]) with the exact (erf) GELU. */
    public void geglu(DType t, long x, long y, long rows, int d) {
        positive("rows", rows);
        positive("GEGLU width", d);
        elementwise("geglu_" + suffix(t), Math.multiplyExact(rows, 2L * d), KernelArgs.of().ptr(x).ptr(y).i64(rows).i32(d));
    }

    /** dst[o * dstInner + dstOffset + i] = src[o * srcInner + i] for o < outer, i < srcInner. */
    public void copySlice(DType t, long src, long dst, long outer, long srcInner, long dstInner, long dstOffset) {
        positive("outer extent", outer);
        positive("source inner extent", srcInner);
        if (dstOffset < 0 || dstOffset + srcInner > dstInner) {
            throw new IllegalArgumentException("slice [" + dstOffset + ", " + (dstOffset + srcInner) + ") does not fit a destination row of " + dstInner);
        }
        elementwise("copy_slice_" + suffix(t), Math.multiplyExact(outer, dstInner),
                KernelArgs.of().ptr(src).ptr(dst).i64(outer).i64(srcInner).i64(dstInner).i64(dstOffset));
    }

    /**
     * Concatenation along one axis: the inputs are (outer, inners[i]) row-major (inners[i] = the input's extent on the
     * axis times the size of the axes after it), the output (outer, sum of inners). One launch per input.
     */
    public void concat(DType t, long dst, long outer, long[] srcs, long[] inners) {
        if (srcs.length != inners.length || srcs.length == 0) {
            throw new IllegalArgumentException("concat needs one inner extent per input and at least one input");
        }
        long total = 0;
        for (long in : inners) {
            positive("concat input inner extent", in);
            total = Math.addExact(total, in);
        }
        long off = 0;
        for (int i = 0; i < srcs.length; i++) {
            copySlice(t, srcs[i], dst, outer, inners[i], total, off);
            off += inners[i];
        }
    }

    /** Row softmax of x (rows, cols) scaled by {@code scale} > 0: y = softmax(x * scale). One block per row. */
    public void softmax(DType t, long x, long y, int rows, int cols, float scale) {
        positive("rows", rows);
        positive("columns", cols);
        if (!(scale > 0) || Float.isInfinite(scale)) throw new IllegalArgumentException("softmax scale must be positive and finite, got " + scale);
        int threads = Math.min(256, (cols + 31) / 32 * 32);
        launcher.launch("softmax_" + suffix(t), Dim3.of(rows), Dim3.of(threads), 0,
                KernelArgs.of().ptr(x).ptr(y).i32(rows).i32(cols).f32(scale));
    }

    /** y (batch, cols, rows) = x (batch, rows, cols) with the last two dims swapped. */
    public void transpose(DType t, long x, long y, int batch, int rows, int cols) {
        positive("batch", batch);
        positive("rows", rows);
        positive("columns", cols);
        if (batch > MAX_GRID_YZ || (rows + 31) / 32 > MAX_GRID_YZ) throw new IllegalArgumentException("transpose of " + batch + " x " + rows + " rows is too large");
        launcher.launch("transpose_" + suffix(t), Dim3.of((cols + 31) / 32, (rows + 31) / 32, batch), Dim3.of(32, 8), 0,
                KernelArgs.of().ptr(x).ptr(y).i32(rows).i32(cols));
    }

    // ---------------------------------------------------------------- normalisation

    /** LayerNorm over the last axis of x (rows, cols); gamma/beta (cols) or 0 for none. One block per row. */
    public void layerNorm(DType t, long x, long y, long gamma, long beta, int rows, int cols, float eps) {
        positive("rows", rows);
        positive("columns", cols);
        int threads = Math.min(256, (cols + 31) / 32 * 32);
        launcher.launch("layer_norm_" + suffix(t), Dim3.of(rows), Dim3.of(threads), 0,
                KernelArgs.of().ptr(x).ptr(y).ptr(gamma).ptr(beta).i32(rows).i32(cols).f32(eps));
    }

    /** Blocks per group the heuristic picks for a group of {@code groupLen} elements. */
    public static int groupNormChunks(long groupLen) {
        return (int) Math.max(1, Math.min(GN_MAX_CHUNKS, (groupLen + GN_TARGET_CHUNK - 1) / GN_TARGET_CHUNK));
    }

    /** Workspace (bytes, F32 partial statistics) groupNorm needs for {@code chunks} blocks per group. */
    public static long groupNormWorkspaceBytes(int batch, int groups, int chunks) {
        return (long) batch * groups * chunks * 3 * Float.BYTES;
    }

    /** GroupNorm(+SiLU) with the heuristic chunk count; workspace of {@link #groupNormWorkspaceBytes} bytes. */
    public void groupNorm(DType t, long x, long y, long gamma, long beta, long workspace, int batch, int channels,
                          int groups, long hw, float eps, boolean silu) {
        positive("groups", groups);
        groupNorm(t, x, y, gamma, beta, workspace, batch, channels, groups, hw, eps, silu,
                groupNormChunks((long) (channels / groups) * hw));
    }

    /**
     * GroupNorm over x (batch, channels, hw) in two launches: {@code chunks} blocks per (batch, group) reduce
     * Welford partials into the workspace, then every block merges its group's partials in a fixed order and
     * normalises its chunk (y = norm * gamma[c] + beta[c], then SiLU when asked). gamma/beta may be 0.
     */
    public void groupNorm(DType t, long x, long y, long gamma, long beta, long workspace, int batch, int channels,
                          int groups, long hw, float eps, boolean silu, int chunks) {
        positive("batch", batch);
        positive("channels", channels);
        positive("groups", groups);
        positive("pixels", hw);
        positive("chunks", chunks);
        if (channels % groups != 0) throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        if ((long) batch * groups > MAX_GRID_YZ) throw new IllegalArgumentException("batch x groups " + ((long) batch * groups) + " exceeds " + MAX_GRID_YZ);
        long groupLen = (long) (channels / groups) * hw;
        long chunkLen = (groupLen + chunks - 1) / chunks;
        int used = (int) ((groupLen + chunkLen - 1) / chunkLen);   // never a block with an empty chunk
        Dim3 grid = Dim3.of(used, batch * groups);
        String s = suffix(t);
        launcher.launch("group_norm_stats_" + s, grid, Dim3.of(256), 0,
                KernelArgs.of().ptr(x).ptr(workspace).i64(groupLen).i64(chunkLen));
        launcher.launch("group_norm_apply_" + s, grid, Dim3.of(256), 0,
                KernelArgs.of().ptr(x).ptr(y).ptr(workspace).ptr(gamma).ptr(beta).i32(channels).i32(groups).i64(hw)
                        .i64(chunkLen).f32(eps).i32(silu ? 1 : 0));
    }

    /**
     * GDN (or IGDN when inverse) over x (batch, channels, hw): y = x / sqrt(beta + gamma x^2) per pixel.
     * beta (channels), gamma (channels, channels): effective values.
     */
    public void gdn(DType t, long x, long y, long beta, long gamma, int batch, int channels, long hw, boolean inverse) {
        positive("batch", batch);
        positive("channels", channels);
        positive("pixels", hw);
        if (channels > MAX_GDN_CHANNELS) throw new IllegalArgumentException("GDN over " + channels + " channels; the fused kernel handles up to " + MAX_GDN_CHANNELS);
        if (batch > MAX_GRID_YZ) throw new IllegalArgumentException("batch " + batch + " exceeds " + MAX_GRID_YZ);
        int tp = channels * 32 * 4 <= MAX_DYNAMIC_SHARED ? 32 : channels * 16 * 4 <= MAX_DYNAMIC_SHARED ? 16 : 8;
        long blocks = (hw + tp - 1) / tp;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("GDN image of " + hw + " pixels is too large");
        launcher.launch("gdn_" + suffix(t), Dim3.of((int) blocks, batch), Dim3.of(tp, 256 / tp), channels * tp * 4,
                KernelArgs.of().ptr(x).ptr(y).ptr(beta).ptr(gamma).i32(channels).i64(hw).i32(inverse ? 1 : 0));
    }

    // ---------------------------------------------------------------- resampling

    /**
     * Nearest resize of planes (h, w) to (oh, ow) with torch's index rule (identity, exact 2x, else
     * min(floor(dst * (float) in / out), in - 1)), as the CPU backend's upsampleNearest.
     */
    public void upsampleNearest(DType t, long x, long y, long planes, int h, int w, int oh, int ow) {
        positive("planes", planes);
        positive("height", h);
        positive("width", w);
        positive("output height", oh);
        positive("output width", ow);
        long n = Math.multiplyExact(planes, (long) oh * ow);
        elementwise("upsample_nearest_" + suffix(t), n, KernelArgs.of().ptr(x).ptr(y).i64(planes).i32(h).i32(w).i32(oh).i32(ow)
                .f32((float) h / oh).f32((float) w / ow));
    }

    /** Bilinear resize (align_corners=False, no antialias) of planes (h, w) to (oh, ow); scale = in / out. */
    public void resizeBilinear(DType t, long x, long y, long planes, int h, int w, int oh, int ow) {
        resizeBilinear(t, x, y, planes, h, w, oh, ow, (float) h / oh, (float) w / ow);
    }

    /** Bilinear resize with explicit source scales (torch passes 1 / scale_factor when one was given). */
    public void resizeBilinear(DType t, long x, long y, long planes, int h, int w, int oh, int ow, float scaleH, float scaleW) {
        positive("planes", planes);
        positive("height", h);
        positive("width", w);
        positive("output height", oh);
        positive("output width", ow);
        if (!(scaleH > 0) || !(scaleW > 0) || Float.isInfinite(scaleH) || Float.isInfinite(scaleW)) {
            throw new IllegalArgumentException("resize scales must be positive and finite: " + scaleH + ", " + scaleW);
        }
        long n = Math.multiplyExact(planes, (long) oh * ow);
        elementwise("resize_bilinear_" + suffix(t), n,
                KernelArgs.of().ptr(x).ptr(y).i64(planes).i32(h).i32(w).i32(oh).i32(ow).f32(scaleH).f32(scaleW));
    }

    /** PixelShuffle: x (batch, outChannels * r * r, h, w) -> y (batch, outChannels, h * r, w * r). */
    public void pixelShuffle(DType t, long x, long y, int batch, int outChannels, int h, int w, int r) {
        positive("batch", batch);
        positive("output channels", outChannels);
        positive("height", h);
        positive("width", w);
        positive("upscale factor", r);
        long planes = (long) batch * outChannels;
        long n = Math.multiplyExact(planes, Math.multiplyExact((long) h * r, (long) w * r));
        elementwise("pixel_shuffle_" + suffix(t), n, KernelArgs.of().ptr(x).ptr(y).i64(planes).i32(h).i32(w).i32(r));
    }

    // ---------------------------------------------------------------- convolution

    /**
     * conv2d (zero padding) of x (batch, cin, h, w) with weight (cout, cin / groups, kh, kw) and bias (cout) or 0,
     * into y (batch, cout, oh, ow), as an implicit GEMM (64 x 64 output tiles).
     */
    public void conv2d(DType t, long x, long weight, long bias, long y, int batch, int cin, int h, int w, int cout,
                       int kh, int kw, Conv2dParams p) {
        convGeometry("conv2d", batch, cin, h, w, cout, kh, kw, p);
        if (p.outputPadH() != 0 || p.outputPadW() != 0) throw new IllegalArgumentException("conv2d takes no output padding");
        launchConv("conv2d_" + suffix(t), x, weight, bias, y, batch, cin, h, w, cout, kh, kw, p, p.outH(h, kh), p.outW(w, kw));
    }

    /**
     * conv_transpose2d of x (batch, cin, h, w) with weight (cin, cout / groups, kh, kw) and bias (cout) or 0 into
     * y (batch, cout, oh, ow), oh = (h - 1) * stride - 2 pad + dilation (kh - 1) + outputPad + 1, in gather form
     * over the conv2d tiles.
     */
    public void convTranspose2d(DType t, long x, long weight, long bias, long y, int batch, int cin, int h, int w,
                                int cout, int kh, int kw, Conv2dParams p) {
        convGeometry("conv_transpose2d", batch, cin, h, w, cout, kh, kw, p);
        if (p.outputPadH() >= Math.max(p.strideH(), p.dilationH()) || p.outputPadW() >= Math.max(p.strideW(), p.dilationW())) {
            throw new IllegalArgumentException("conv_transpose2d: output padding must be smaller than stride or dilation");
        }
        int oh = p.transposedOutH(h, kh), ow = p.transposedOutW(w, kw);
        launchConv("conv_transpose2d_" + suffix(t), x, weight, bias, y, batch, cin, h, w, cout, kh, kw, p, oh, ow);
    }

    private static void convGeometry(String op, int batch, int cin, int h, int w, int cout, int kh, int kw, Conv2dParams p) {
        positive("batch", batch);
        positive("input channels", cin);
        positive("height", h);
        positive("width", w);
        positive("output channels", cout);
        positive("kernel height", kh);
        positive("kernel width", kw);
        int g = p.groups();
        if (cin % g != 0 || cout % g != 0) {
            throw new IllegalArgumentException(op + ": " + cin + " input / " + cout + " output channels do not split into " + g + " groups");
        }
    }

    private void launchConv(String kernel, long x, long weight, long bias, long y, int batch, int cin, int h, int w,
                            int cout, int kh, int kw, Conv2dParams p, int oh, int ow) {
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException(kernel + ": output size " + oh + "x" + ow + " is empty");
        int g = p.groups();
        long ohw = (long) oh * ow;
        long k = (long) (cin / g) * kh * kw;
        if (ohw > Integer.MAX_VALUE || k > Integer.MAX_VALUE) throw new IllegalArgumentException(kernel + " too large for 32-bit tile indices");
        long zs = (long) batch * g;
        if (zs > MAX_GRID_YZ) throw new IllegalArgumentException(kernel + ": batch x groups " + zs + " exceeds " + MAX_GRID_YZ);
        int opg = cout / g;
        Dim3 grid = Dim3.of((int) ((ohw + CONV_TILE - 1) / CONV_TILE), (opg + CONV_TILE - 1) / CONV_TILE, (int) zs);
        launcher.launch(kernel, grid, Dim3.of(CONV_THREADS), 0,
                KernelArgs.of().ptr(x).ptr(weight).ptr(bias).ptr(y).i32(cin).i32(h).i32(w).i32(cout).i32(kh).i32(kw)
                        .i32(p.strideH()).i32(p.strideW()).i32(p.padH()).i32(p.padW()).i32(p.dilationH()).i32(p.dilationW())
                        .i32(g).i32(oh).i32(ow));
    }

    // ---------------------------------------------------------------- GEMM

    /**
     * Batched row-major GEMM on CUDA cores: C[b] (m, n) = alpha op(A[b]) op(B[b]) + beta C[b] + bias[n] (bias 0 for
     * none), op(A) (m, k), op(B) (k, n); transA: A stored (k, m), transB: B stored (n, k); operands contiguous.
     * Batch strides in elements, 0 to broadcast an operand. The fallback where cuBLAS is absent.
     */
    public void gemm(DType t, long a, long b, long c, long bias, int batch, int m, int n, int k, boolean transA,
                     boolean transB, long strideA, long strideB, long strideC, float alpha, float beta) {
        gemm(t, a, b, c, bias, batch, m, n, k, transA, transB, transA ? m : k, transB ? k : n, n, strideA, strideB,
                strideC, alpha, beta);
    }

    /** {@link #gemm} with explicit leading dimensions (elements between consecutive stored rows). */
    public void gemm(DType t, long a, long b, long c, long bias, int batch, int m, int n, int k, boolean transA,
                     boolean transB, int lda, int ldb, int ldc, long strideA, long strideB, long strideC, float alpha,
                     float beta) {
        positive("batch", batch);
        positive("rows", m);
        positive("columns", n);
        positive("inner dimension", k);
        if (lda < (transA ? m : k) || ldb < (transB ? k : n) || ldc < n) {
            throw new IllegalArgumentException("gemm leading dimensions " + lda + ", " + ldb + ", " + ldc + " are shorter than the rows");
        }
        if (batch > MAX_GRID_YZ || (m + CONV_TILE - 1) / CONV_TILE > MAX_GRID_YZ) {
            throw new IllegalArgumentException("gemm of batch " + batch + " x " + m + " rows is too large for one launch");
        }
        if (strideA < 0 || strideB < 0 || strideC < 0 || (batch > 1 && strideC == 0)) {
            throw new IllegalArgumentException("gemm batch strides " + strideA + ", " + strideB + ", " + strideC);
        }
        Dim3 grid = Dim3.of((n + CONV_TILE - 1) / CONV_TILE, (m + CONV_TILE - 1) / CONV_TILE, batch);
        launcher.launch("gemm_" + suffix(t), grid, Dim3.of(CONV_THREADS), 0,
                KernelArgs.of().ptr(a).ptr(b).ptr(c).ptr(bias).i32(m).i32(n).i32(k).i32(transA ? 1 : 0).i32(transB ? 1 : 0)
                        .i32(lda).i32(ldb).i32(ldc).i64(strideA).i64(strideB).i64(strideC).f32(alpha).f32(beta));
    }

    /** Linear layer: y (rows, out) = x (rows, in) weight (out, in)^T + bias (out) or 0. */
    public void linear(DType t, long x, long weight, long bias, long y, int rows, int in, int out) {
        gemm(t, x, weight, y, bias, 1, rows, out, in, false, true, 0, 0, 0, 1f, 0f);
    }

    // ---------------------------------------------------------------- attention

    /** Workspace (bytes) {@link #attentionUnfused} needs: one score matrix per head of a batch item. */
    public static long attentionUnfusedWorkspaceBytes(DType t, int heads, int queries, int keys) {
        return (long) heads * queries * keys * t.byteSize;
    }

    /**
     * Attention for any head dim (e.g. the VAE mid-block's single 512-wide head) as GEMM, row softmax, GEMM per
     * batch item, heads batched: q (B, Tq, H*D), k and v (B, S, H*D), o (B, Tq, H*D). Scores are stored in the
     * workspace in the storage type. Prefer {@link #attention} (fused, no workspace) for head dims up to 160.
     */
    public void attentionUnfused(DType t, long q, long k, long v, long o, long workspace, int batch, int heads,
                                 int queries, int keys, int headDim, float scale) {
        positive("batch", batch);
        positive("heads", heads);
        positive("queries", queries);
        positive("keys", keys);
        positive("head dim", headDim);
        int c = Math.multiplyExact(heads, headDim);
        long es = t.byteSize;
        long scores = (long) queries * keys;
        for (int bi = 0; bi < batch; bi++) {
            long qb = q + (long) bi * queries * c * es, kb = k + (long) bi * keys * c * es;
            long vb = v + (long) bi * keys * c * es, ob = o + (long) bi * queries * c * es;
            // scores[h] (Tq, S) = Q_h K_h^T: rows of Q_h and K_h are c apart, heads headDim apart.
            gemm(t, qb, kb, workspace, 0, heads, queries, keys, headDim, false, true, c, c, keys, headDim, headDim,
                    scores, 1f, 0f);
            softmax(t, workspace, workspace, Math.multiplyExact(heads, queries), keys, scale);
            // O_h (Tq, D) = P_h V_h, written into the head's columns of o.
            gemm(t, workspace, vb, ob, 0, heads, queries, headDim, keys, false, false, keys, c, c, scores, headDim,
                    headDim, 1f, 0f);
        }
    }

    /** Dynamic shared memory the attention kernel takes for head dim d. */
    public static int attentionSharedBytes(int headDim) {
        int nch = (headDim + 31) / 32;
        int bq = ATT_WARPS * (nch <= 3 ? 4 : 2);
        return 4 * (bq * headDim + ATT_BK * (headDim + 1) + ATT_BK * headDim + bq * ATT_BK);
    }

    /**
     * Fused multi-head attention O = softmax(Q K^T * scale) V for {@code batch} x {@code heads} heads of
     * {@code queries} queries against {@code keys} keys and values, head dim {@code headDim} (1..160).
     */
    public void attention(DType t, long q, AttentionLayout ql, long k, AttentionLayout kl, long v, AttentionLayout vl,
                          long o, AttentionLayout ol, int batch, int heads, int queries, int keys, int headDim, float scale) {
        positive("batch", batch);
        positive("heads", heads);
        positive("queries", queries);
        positive("keys", keys);
        positive("head dim", headDim);
        if (headDim > MAX_HEAD_DIM) throw new IllegalArgumentException("head dim " + headDim + " exceeds " + MAX_HEAD_DIM);
        if (batch > MAX_GRID_YZ || heads > MAX_GRID_YZ) throw new IllegalArgumentException("batch/heads exceed " + MAX_GRID_YZ);
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("attention scale " + scale);
        int nch = (headDim + 31) / 32;
        int bq = ATT_WARPS * (nch <= 3 ? 4 : 2);
        Dim3 grid = Dim3.of((queries + bq - 1) / bq, heads, batch);
        launcher.launch("attention_" + suffix(t) + "_c" + nch, grid, Dim3.of(ATT_WARPS * 32), attentionSharedBytes(headDim),
                KernelArgs.of().ptr(q).ptr(k).ptr(v).ptr(o).i32(queries).i32(keys).i32(headDim)
                        .i64(ql.batchStride()).i64(ql.headStride()).i64(ql.tokenStride())
                        .i64(kl.batchStride()).i64(kl.headStride()).i64(kl.tokenStride())
                        .i64(vl.batchStride()).i64(vl.headStride()).i64(vl.tokenStride())
                        .i64(ol.batchStride()).i64(ol.headStride()).i64(ol.tokenStride())
                        .f32(scale));
    }
}
