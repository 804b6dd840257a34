package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;

/**
 * Launch wrappers of the tensor-core kernels (kernels/src/main/cuda/tc_*.cu) over device addresses: F16/BF16
 * storage, mma.sync with F32 accumulation. Each op has a static predicate ({@code ...Unsupported}: null when the
 * kernel handles the shape, else the reason) so an executor can choose per node and fall back to {@link CudaKernels};
 * the launch methods re-check it and throw {@link IllegalArgumentException} with that reason.
 *
 * <p>Alignment: every operand the kernels read with 16-byte cp.async (convolution input and packed weights, GEMM A
 * and B, attention Q/K/V) must start at a 16-byte aligned address and have leading dimensions / strides that are
 * multiples of 8 elements; outputs need 4-byte alignment (8 for F32 GEMM output: pairs of adjacent columns are
 * stored together). Planned arenas (256-byte offsets) satisfy this.
 *
 * <p>Layouts: convolutions read NHWC input ({@link #nchwToNhwc}, or {@link #groupNormToNhwc} fusing the layout change
 * into the norm before the convolution) and packed weights ({@link #packConv2dWeight},
 * {@link #packConvTranspose2dWeight}, once per weight), and write NCHW or NHWC. GEMMs are row-major. Attention
 * takes {@link AttentionLayout} strides like {@link CudaKernels#attention}.
 */
public final class TensorCoreKernels {
    /** Dynamic shared memory of the GEMM / convolution kernels (3 stages of 128x32 + 64x32 16-bit tiles). */
    public static final int GEMM_SHARED_BYTES = 3 * (128 + 64) * 40 * 2;
    /** Widest head the fused (flash) attention kernel handles; wider heads take {@link #attentionWide}. */
    public static final int MAX_FUSED_HEAD_DIM = 160;

    private static final int BM = 128, BN = 64, THREADS = 128, MAX_GRID_YZ = 65535;
    private static final int ATT_BQ = 64, PACK_THREADS = 256, PACK_MAX_BLOCKS = 4096;

    private final KernelLauncher launcher;
    private final CudaKernels kernels;

    public TensorCoreKernels(KernelLauncher launcher) {
        this.launcher = launcher;
        this.kernels = new CudaKernels(launcher);
    }

    static String suffix(DType t) {
        return switch (t) {
            case F16 -> "f16";
            case BF16 -> "bf16";
            default -> throw new IllegalArgumentException("tensor-core kernels store F16 or BF16, not " + t);
        };
    }

    private static String dtypeUnsupported(DType t) {
        return t == DType.F16 || t == DType.BF16 ? null : "tensor-core kernels take F16 or BF16 storage, not " + t;
    }

    private static void require(String reason) {
        if (reason != null) throw new IllegalArgumentException(reason);
    }

    private static void aligned16(String what, long address) {
        if ((address & 15) != 0) throw new IllegalArgumentException(what + " at 0x" + Long.toHexString(address) + " is not 16-byte aligned");
    }

    private static void aligned4(String what, long address) {
        if ((address & 3) != 0) throw new IllegalArgumentException(what + " at 0x" + Long.toHexString(address) + " is not 4-byte aligned");
    }

    private static void positive(String what, long v) {
        if (v < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + v);
    }

    // ---------------------------------------------------------------- convolution

    /** Null when {@link #conv2d} handles this convolution, else why not (groups, Cin % 8, dtype, sizes). */
    public static String conv2dUnsupported(DType t, int batch, int cin, int h, int w, int cout, int kh, int kw, Conv2dParams p) {
        String d = dtypeUnsupported(t);
        if (d != null) return d;
        if (p.groups() != 1) return "tensor-core convolution takes groups = 1, not " + p.groups();
        if (cin % 8 != 0) return "tensor-core convolution needs input channels % 8 == 0 (16-byte NHWC chunks), got " + cin;
        if (p.outputPadH() != 0 || p.outputPadW() != 0) return "conv2d takes no output padding";
        int oh = p.outH(h, kh), ow = p.outW(w, kw);
        if (oh < 1 || ow < 1) return "empty output " + oh + "x" + ow;
        if ((long) batch * oh * ow > Integer.MAX_VALUE) return "too many output pixels for one launch";
        if ((cout + BN - 1) / BN > MAX_GRID_YZ) return "too many output channels for one launch";
        return null;
    }

    public static boolean supportsConv2d(DType t, int batch, int cin, int h, int w, int cout, int kh, int kw, Conv2dParams p) {
        return conv2dUnsupported(t, batch, cin, h, w, cout, kh, kw, p) == null;
    }

    /** Null when {@link #convTranspose2d} handles this transposed convolution, else why not (also: dilation 1 only). */
    public static String convTranspose2dUnsupported(DType t, int batch, int cin, int h, int w, int cout, int kh, int kw,
                                                    Conv2dParams p) {
        String d = dtypeUnsupported(t);
        if (d != null) return d;
        if (p.groups() != 1) return "tensor-core transposed convolution takes groups = 1, not " + p.groups();
        if (p.dilationH() != 1 || p.dilationW() != 1) return "tensor-core transposed convolution takes dilation 1";
        if (cin % 8 != 0) return "tensor-core convolution needs input channels % 8 == 0 (16-byte NHWC chunks), got " + cin;
        if (p.outputPadH() >= p.strideH() || p.outputPadW() >= p.strideW()) return "output padding must be smaller than the stride";
        int oh = p.transposedOutH(h, kh), ow = p.transposedOutW(w, kw);
        if (oh < 1 || ow < 1) return "empty output " + oh + "x" + ow;
        if ((long) batch * oh * ow > Integer.MAX_VALUE) return "too many output pixels for one launch";
        if ((cout + BN - 1) / BN > MAX_GRID_YZ) return "too many output channels for one launch";
        return null;
    }

    public static boolean supportsConvTranspose2d(DType t, int batch, int cin, int h, int w, int cout, int kh, int kw,
                                                  Conv2dParams p) {
        return convTranspose2dUnsupported(t, batch, cin, h, w, cout, kh, kw, p) == null;
    }

    /** Elements of a packed weight (either form): the same as the unpacked weight. */
    public static long packedWeightElements(int cout, int cin, int kh, int kw) {
        return (long) cout * cin * kh * kw;
    }

    private void pack(String kernel, long n, KernelArgs args) {
        int blocks = (int) Math.max(1, Math.min(PACK_MAX_BLOCKS, (n + PACK_THREADS - 1) / PACK_THREADS));
        launcher.launch(kernel, Dim3.of(blocks), Dim3.of(PACK_THREADS), 0, args);
    }

    /** conv2d weight (cout, cin, kh, kw) -> packed (cout, kh, kw, cin), the K order of {@link #conv2d}. */
    public void packConv2dWeight(DType t, long weight, long packed, int cout, int cin, int kh, int kw) {
        positive("output channels", cout);
        positive("input channels", cin);
        positive("kernel height", kh);
        positive("kernel width", kw);
        pack("tc_pack_conv_weight_" + suffix(t), packedWeightElements(cout, cin, kh, kw),
                KernelArgs.of().ptr(weight).ptr(packed).i32(cout).i32(cin).i32(kh).i32(kw));
    }

    /** Taps of kernel extent k at phase r of stride s: ky = r + s t for t < taps. */
    private static int phaseTaps(int k, int r, int s) {
        return r >= k ? 0 : (k - r + s - 1) / s;
    }

    /**
     * conv_transpose2d weight (cin, cout, kh, kw) -> one packed (cout, ty, tx, cin) block per output phase (ry, rx)
     * (row-major over phases), taps flipped: what {@link #convTranspose2d} reads.
     */
    public void packConvTranspose2dWeight(DType t, long weight, long packed, int cin, int cout, int kh, int kw, Conv2dParams p) {
        positive("output channels", cout);
        positive("input channels", cin);
        positive("kernel height", kh);
        positive("kernel width", kw);
        String s = suffix(t);
        long off = 0;
        for (int ry = 0; ry < p.strideH(); ry++) {
            for (int rx = 0; rx < p.strideW(); rx++) {
                int ty = phaseTaps(kh, ry, p.strideH()), tx = phaseTaps(kw, rx, p.strideW());
                long n = (long) cout * ty * tx * cin;
                if (n == 0) continue;
                pack("tc_pack_deconv_weight_" + s, n, KernelArgs.of().ptr(weight).ptr(packed + off * t.byteSize)
                        .i32(cin).i32(cout).i32(kh).i32(kw).i32(ry).i32(rx).i32(ty).i32(tx).i32(p.strideH()).i32(p.strideW()));
                off += n;
            }
        }
    }

    /** NCHW (batch, channels, h, w) -> NHWC (batch, h, w, channels): the layout the convolutions read. */
    public void nchwToNhwc(DType t, long x, long y, int batch, int channels, int h, int w) {
        kernels.transpose(t, x, y, batch, channels, Math.multiplyExact(h, w));
    }

    /** Workspace (bytes) of {@link #groupNormToNhwc}: the F32 partial statistics of its first pass. */
    public static long groupNormToNhwcWorkspaceBytes(int batch, int channels, int groups, long hw) {
        return CudaKernels.groupNormWorkspaceBytes(batch, groups, CudaKernels.groupNormChunks((long) (channels / groups) * hw));
    }

    /**
     * GroupNorm(+SiLU) of x (NCHW: batch, channels, hw) written as NHWC (batch, hw, channels): the norm before a
     * convolution producing the convolution's input layout in the same pass (group_norm_stats_* partials, then
     * tc_group_norm_nhwc_* normalising through transposed 32 x 32 tiles). gamma / beta (channels) or 0.
     */
    public void groupNormToNhwc(DType t, long x, long yNhwc, long gamma, long beta, long workspace, int batch, int channels,
                                int groups, long hw, float eps, boolean silu) {
        positive("batch", batch);
        positive("channels", channels);
        positive("groups", groups);
        positive("pixels", hw);
        if (channels % groups != 0) throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        if (hw > Integer.MAX_VALUE || batch > MAX_GRID_YZ || (long) batch * groups > MAX_GRID_YZ) {
            throw new IllegalArgumentException("group norm of " + batch + " x " + hw + " pixels is too large for one launch");
        }
        String s = suffix(t);
        long groupLen = (long) (channels / groups) * hw;
        int chunks = CudaKernels.groupNormChunks(groupLen);
        long chunkLen = (groupLen + chunks - 1) / chunks;
        int used = (int) ((groupLen + chunkLen - 1) / chunkLen);   // never a block with an empty chunk
        launcher.launch("group_norm_stats_" + s, Dim3.of(used, batch * groups), Dim3.of(256), 0,
                KernelArgs.of().ptr(x).ptr(workspace).i64(groupLen).i64(chunkLen));
        launcher.launch("tc_group_norm_nhwc_" + s, Dim3.of((int) ((hw + 31) / 32), (channels + 31) / 32, batch), Dim3.of(32, 8), 0,
                KernelArgs.of().ptr(x).ptr(yNhwc).ptr(workspace).i32(used).ptr(gamma).ptr(beta).i32(channels).i32(groups)
                        .i32((int) hw).f32(eps).i32(silu ? 1 : 0));
    }

    private void window(String kernel, DType t, long src, long dst, int batch, int channels, int h, int w, WindowRegion r) {
        positive("batch", batch);
        positive("channels", channels);
        if ((long) r.y0() + (long) r.wh() * r.nwy() > h || (long) r.x0() + (long) r.ww() * r.nwx() > w) {
            throw new IllegalArgumentException(r + " does not fit a " + h + "x" + w + " image");
        }
        long n = Math.multiplyExact(Math.multiplyExact((long) batch * r.windows(), channels), (long) r.wh() * r.ww());
        pack(kernel + suffix(t), n, KernelArgs.of().ptr(src).ptr(dst).i32(channels).i32(h).i32(w).i32(r.y0()).i32(r.x0())
                .i32(r.wh()).i32(r.ww()).i32(r.nwy()).i32(r.nwx()).i64(n));
    }

    /** Copies region r of x (batch, channels, h, w) into y (batch * r.windows(), channels, r.wh, r.ww), windows row-major. */
    public void windowPartition(DType t, long x, long y, int batch, int channels, int h, int w, WindowRegion r) {
        window("tc_window_partition_", t, x, y, batch, channels, h, w, r);
    }

    /** The inverse of {@link #windowPartition}: writes the window batch y back into region r of x. */
    public void windowMerge(DType t, long y, long x, int batch, int channels, int h, int w, WindowRegion r) {
        window("tc_window_merge_", t, y, x, batch, channels, h, w, r);
    }

    /**
     * conv2d of x (NHWC: batch, h, w, cin) with a {@link #packConv2dWeight packed} weight, bias (cout) or 0, and the
     * epilogue, into y (NHWC or NCHW by {@code yNhwc}; the residual has y's layout). Zero padding, any kernel size,
     * stride and dilation.
     */
    public void conv2d(DType t, long xNhwc, long packedWeight, long bias, long y, boolean yNhwc, int batch, int cin, int h,
                       int w, int cout, int kh, int kw, Conv2dParams p, TensorCoreEpilogue e) {
        positive("batch", batch);
        positive("input channels", cin);
        positive("height", h);
        positive("width", w);
        positive("output channels", cout);
        positive("kernel height", kh);
        positive("kernel width", kw);
        require(conv2dUnsupported(t, batch, cin, h, w, cout, kh, kw, p));
        int oh = p.outH(h, kh), ow = p.outW(w, kw);
        launchConv(t, xNhwc, packedWeight, bias, y, yNhwc, batch, h, w, cin, cout, kh, kw, p.strideH(), p.strideW(),
                p.padH(), p.padW(), p.dilationH(), p.dilationW(), oh, ow, oh, ow, 0, 0, 1, 1, e);
    }

    /**
     * conv_transpose2d of x (NHWC) with a {@link #packConvTranspose2dWeight packed} weight into y (oh =
     * (h - 1) stride - 2 pad + kh + outputPad): one stride-1 launch per output phase (stride-phase decomposition),
     * each writing its interleaved output pixels with the full epilogue.
     */
    public void convTranspose2d(DType t, long xNhwc, long packedWeight, long bias, long y, boolean yNhwc, int batch, int cin,
                                int h, int w, int cout, int kh, int kw, Conv2dParams p, TensorCoreEpilogue e) {
        positive("batch", batch);
        positive("input channels", cin);
        positive("height", h);
        positive("width", w);
        positive("output channels", cout);
        positive("kernel height", kh);
        positive("kernel width", kw);
        require(convTranspose2dUnsupported(t, batch, cin, h, w, cout, kh, kw, p));
        int sh = p.strideH(), sw = p.strideW();
        int oh = p.transposedOutH(h, kh), ow = p.transposedOutW(w, kw);
        long off = 0;
        for (int ry = 0; ry < sh; ry++) {
            for (int rx = 0; rx < sw; rx++) {
                int ty = phaseTaps(kh, ry, sh), tx = phaseTaps(kw, rx, sw);
                // output rows of this phase: (oy + pad) mod s == r; the first is oy0, then every s-th
                int oy0 = Math.floorMod(ry - p.padH(), sh), ox0 = Math.floorMod(rx - p.padW(), sw);
                int ohp = oy0 < oh ? (oh - oy0 + sh - 1) / sh : 0, owp = ox0 < ow ? (ow - ox0 + sw - 1) / sw : 0;
                // output q = (oy + pad - r) / s takes input rows q - t, t < ty: a stride-1 conv with pad ty - 1 - q0
                int q0y = (oy0 + p.padH() - ry) / sh, q0x = (ox0 + p.padW() - rx) / sw;
                if (ohp > 0 && owp > 0) {
                    launchConv(t, xNhwc, packedWeight + off * t.byteSize, bias, y, yNhwc, batch, h, w, cin, cout, ty, tx,
                            1, 1, ty - 1 - q0y, tx - 1 - q0x, 1, 1, ohp, owp, oh, ow, oy0, ox0, sh, sw, e);
                }
                off += (long) cout * ty * tx * cin;
            }
        }
    }

    private void launchConv(DType t, long x, long weight, long bias, long y, boolean yNhwc, int batch, int h, int w, int cin,
                            int cout, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int ohp, int owp,
                            int oh, int ow, int oy0, int ox0, int osy, int osx, TensorCoreEpilogue e) {
        aligned16("convolution input", x);
        aligned16("packed weight", weight);
        aligned4("convolution output", y);
        long m = (long) batch * ohp * owp;
        Dim3 grid = Dim3.of((int) ((m + BM - 1) / BM), (cout + BN - 1) / BN, 1);
        launcher.launch("tc_conv2d_" + suffix(t), grid, Dim3.of(THREADS), GEMM_SHARED_BYTES,
                KernelArgs.of().ptr(x).ptr(weight).ptr(bias).ptr(e.residual()).ptr(y).i32(batch).i32(h).i32(w).i32(cin)
                        .i32(cout).i32(kh).i32(kw).i32(sh).i32(sw).i32(ph).i32(pw).i32(dh).i32(dw).i32(ohp).i32(owp)
                        .i32(oh).i32(ow).i32(oy0).i32(ox0).i32(osy).i32(osx).i32(yNhwc ? 1 : 0)
                        .i32(e.activation()).f32(e.activationParam()).f32(e.outScale()));
    }

    // ---------------------------------------------------------------- GEMM

    /** Null when {@link #gemm} handles these operands, else why not. */
    public static String gemmUnsupported(DType t, int batch, int m, int n, int lda, int ldb, long strideA, long strideB) {
        String d = dtypeUnsupported(t);
        if (d != null) return d;
        if (lda % 8 != 0 || ldb % 8 != 0) return "tensor-core GEMM needs leading dimensions % 8 == 0, got " + lda + ", " + ldb;
        if (strideA % 8 != 0 || strideB % 8 != 0) return "tensor-core GEMM needs batch strides % 8 == 0, got " + strideA + ", " + strideB;
        if (batch > MAX_GRID_YZ || (n + BN - 1) / BN > MAX_GRID_YZ) return "GEMM too large for one launch";
        if ((m + (long) BM - 1) / BM > Integer.MAX_VALUE) return "GEMM too large for one launch";
        return null;
    }

    /**
     * Batched GEMM on tensor cores: C[z] (m x n) = epilogue(alpha A[z] op(B[z])) for z < batch, A row-major
     * (lda), op(B) = B^T for B stored n x k ({@code bKN} false: weights, keys) or B for B stored k x n ({@code bKN}
     * true), C row-major (ldc) in the storage type, or F32 with {@code f32Out} (then only bKN false). Bias (n) or 0;
     * the epilogue's residual has C's layout and type. Strides in elements; 0 reuses an operand.
     */
    public void gemm(DType t, boolean bKN, boolean f32Out, long a, long b, long bias, long c, int batch, int m, int n, int k,
                     int lda, int ldb, int ldc, long strideA, long strideB, long strideC, float alpha, TensorCoreEpilogue e) {
        gemm(t, bKN, f32Out, a, b, bias, c, batch, m, n, k, lda, ldb, ldc, strideA, strideB, strideC, batch, 0, 0, 0, alpha, e);
    }

    /**
     * {@link #gemm} over a two-level batch in one launch: z = zo * innerBatch + zi (batch a multiple of innerBatch)
     * addresses each operand X at zo * outerStrideX + zi * strideX, e.g. (batch item, head) pairs of an attention.
     */
    public void gemm(DType t, boolean bKN, boolean f32Out, long a, long b, long bias, long c, int batch, int m, int n, int k,
                     int lda, int ldb, int ldc, long strideA, long strideB, long strideC, int innerBatch, long outerStrideA,
                     long outerStrideB, long outerStrideC, float alpha, TensorCoreEpilogue e) {
        positive("batch", batch);
        positive("inner batch", innerBatch);
        positive("rows", m);
        positive("columns", n);
        positive("inner dimension", k);
        require(gemmUnsupported(t, batch, m, n, lda, ldb, strideA, strideB));
        if (batch % innerBatch != 0) throw new IllegalArgumentException("batch " + batch + " is not a multiple of " + innerBatch);
        if (outerStrideA % 8 != 0 || outerStrideB % 8 != 0) {
            throw new IllegalArgumentException("tensor-core GEMM needs batch strides % 8 == 0, got " + outerStrideA + ", " + outerStrideB);
        }
        if (f32Out && bKN) throw new IllegalArgumentException("F32 output is built for B stored n x k only");
        if (lda < k || ldb < (bKN ? n : k) || ldc < n) {
            throw new IllegalArgumentException("leading dimensions " + lda + ", " + ldb + ", " + ldc + " are shorter than the rows");
        }
        if (strideA < 0 || strideB < 0 || strideC < 0 || outerStrideA < 0 || outerStrideB < 0 || outerStrideC < 0
                || (innerBatch > 1 && strideC == 0) || (batch > innerBatch && outerStrideC == 0)) {
            throw new IllegalArgumentException("batch strides " + strideA + ", " + strideB + ", " + strideC + " / outer "
                    + outerStrideA + ", " + outerStrideB + ", " + outerStrideC);
        }
        if (!Float.isFinite(alpha)) throw new IllegalArgumentException("alpha " + alpha);
        aligned16("GEMM A", a);
        aligned16("GEMM B", b);
        if ((c & (f32Out ? 7 : 3)) != 0) {
            throw new IllegalArgumentException("GEMM C at 0x" + Long.toHexString(c) + " is not " + (f32Out ? 8 : 4) + "-byte aligned");
        }
        String kernel = "tc_gemm_" + (bKN ? "kn_" : "nk_") + suffix(t) + (f32Out ? "_f32out" : "");
        Dim3 grid = Dim3.of((m + BM - 1) / BM, (n + BN - 1) / BN, batch);
        launcher.launch(kernel, grid, Dim3.of(THREADS), GEMM_SHARED_BYTES,
                KernelArgs.of().ptr(a).ptr(b).ptr(bias).ptr(e.residual()).ptr(c).i32(m).i32(n).i32(k).i32(lda).i32(ldb).i32(ldc)
                        .i64(strideA).i64(strideB).i64(strideC).i32(innerBatch).i64(outerStrideA).i64(outerStrideB)
                        .i64(outerStrideC).f32(alpha).i32(e.activation()).f32(e.activationParam()).f32(e.outScale()));
    }

    /** Linear layer y (rows, out) = epilogue(x (rows, in) weight (out, in)^T + bias (out) or 0); in % 8 == 0. */
    public void linear(DType t, long x, long weight, long bias, long y, int rows, int in, int out, TensorCoreEpilogue e) {
        gemm(t, false, false, x, weight, bias, y, 1, rows, out, in, in, in, out, 0, 0, 0, 1f, e);
    }

    // ---------------------------------------------------------------- attention

    private static String layoutUnsupported(String name, AttentionLayout l) {
        if (l.batchStride() % 8 != 0 || l.headStride() % 8 != 0 || l.tokenStride() % 8 != 0) {
            return name + " strides must be multiples of 8 elements, got " + l;
        }
        if (l.tokenStride() > Integer.MAX_VALUE) return name + " token stride too large";
        return null;
    }

    private static String layoutsUnsupported(AttentionLayout q, AttentionLayout k, AttentionLayout v, AttentionLayout o) {
        String r = layoutUnsupported("Q", q);
        if (r == null) r = layoutUnsupported("K", k);
        if (r == null) r = layoutUnsupported("V", v);
        if (r == null) r = layoutUnsupported("O", o);
        return r;
    }

    /** Null when the fused kernel ({@link #attention}) handles this attention, else why not. */
    public static String attentionUnsupported(DType t, int batch, int heads, int headDim, AttentionLayout q, AttentionLayout k,
                                              AttentionLayout v, AttentionLayout o) {
        String d = dtypeUnsupported(t);
        if (d != null) return d;
        if (headDim % 8 != 0 || headDim > MAX_FUSED_HEAD_DIM) {
            return "fused tensor-core attention takes head dims that are multiples of 8 up to " + MAX_FUSED_HEAD_DIM + ", got " + headDim;
        }
        if (batch > MAX_GRID_YZ || heads > MAX_GRID_YZ) return "batch / heads exceed " + MAX_GRID_YZ;
        return layoutsUnsupported(q, k, v, o);
    }

    /** Head dim padded to the kernel's multiple of 16. */
    static int paddedHeadDim(int headDim) {
        return (headDim + 15) / 16 * 16;
    }

    /** Dynamic shared memory of the fused attention kernel for this head dim. */
    public static int attentionSharedBytes(int headDim) {
        int dp = paddedHeadDim(headDim), bkv = dp <= 80 ? 64 : 32;
        return 2 * 2 * bkv * (dp + 8) * 2;
    }

    /**
     * Fused flash attention O = softmax(Q K^T scale) V on tensor cores: head dim a multiple of 8 up to 160, any
     * query and key counts, scores and softmax statistics in F32.
     */
    public void attention(DType t, long q, AttentionLayout ql, long k, AttentionLayout kl, long v, AttentionLayout vl,
                          long o, AttentionLayout ol, int batch, int heads, int queries, int keys, int headDim, float scale) {
        positive("batch", batch);
        positive("heads", heads);
        positive("queries", queries);
        positive("keys", keys);
        positive("head dim", headDim);
        require(attentionUnsupported(t, batch, heads, headDim, ql, kl, vl, ol));
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("attention scale " + scale);
        aligned16("Q", q);
        aligned16("K", k);
        aligned16("V", v);
        aligned4("O", o);
        Dim3 grid = Dim3.of((queries + ATT_BQ - 1) / ATT_BQ, heads, batch);
        launcher.launch("tc_attention_" + suffix(t) + "_d" + paddedHeadDim(headDim), grid, Dim3.of(THREADS),
                attentionSharedBytes(headDim),
                KernelArgs.of().ptr(q).ptr(k).ptr(v).ptr(o).i32(queries).i32(keys).i32(headDim)
                        .i64(ql.batchStride()).i64(ql.headStride()).i64(ql.tokenStride())
                        .i64(kl.batchStride()).i64(kl.headStride()).i64(kl.tokenStride())
                        .i64(vl.batchStride()).i64(vl.headStride()).i64(vl.tokenStride())
                        .i64(ol.batchStride()).i64(ol.headStride()).i64(ol.tokenStride())
                        .f32(scale));
    }

    /** Null when {@link #attentionWide} handles this attention (any head dim that is a multiple of 8), else why not. */
    public static String wideAttentionUnsupported(DType t, int heads, int keys, int headDim, AttentionLayout q,
                                                  AttentionLayout k, AttentionLayout v, AttentionLayout o) {
        String d = dtypeUnsupported(t);
        if (d != null) return d;
        if (headDim % 8 != 0) return "tensor-core attention takes head dims that are multiples of 8, got " + headDim;
        if (heads > MAX_GRID_YZ || (Math.max(keys, headDim) + BN - 1) / BN > MAX_GRID_YZ) return "attention too large for one launch";
        return layoutsUnsupported(q, k, v, o);
    }

    private static long align256(long bytes) {
        return (bytes + 255) & ~255L;
    }

    /** Keys rounded up to 8: the row length of the probability matrix (16-byte chunks). */
    private static long paddedKeys(int keys) {
        return (keys + 7L) / 8 * 8;
    }

    /**
     * Workspace {@link #attentionWide} needs to process {@code queryChunk} queries of {@code rows} heads at a time
     * (F32 scores + 16-bit P): rows = heads for one batch item, batch x heads for the single pass over all.
     */
    public static long wideAttentionWorkspaceBytes(int rows, int queryChunk, int keys) {
        long all = (long) rows * queryChunk;
        return align256(all * keys * 4) + all * paddedKeys(keys) * 2;
    }

    /** The largest query chunk (a multiple of 128 unless all queries fit) a workspace of this size allows; 0 if none. */
    public static int wideAttentionQueryChunk(long workspaceBytes, int heads, int queries, int keys) {
        long perQuery = (long) heads * (keys * 4L + paddedKeys(keys) * 2);
        long fit = Math.min(queries, Math.max(0, workspaceBytes) / perQuery);
        while (fit > 0 && wideAttentionWorkspaceBytes(heads, (int) fit, keys) > workspaceBytes) fit--;   // alignment padding
        if (fit >= queries) return queries;
        return fit >= BM ? (int) (fit / BM * BM) : (int) fit;
    }

    /**
     * Attention for wide heads (e.g. the VAE mid-block's single 512-wide head, OneDC's AttnBlock; windowed attention
     * as a batch of windows through the strides) on tensor cores: scores = scale Q K^T as F32
     * (tc_gemm_nk_*_f32out), P = softmax(scores) rounded to T (tc_softmax_f32_*), O = P V (tc_gemm_kn_*); scores never
     * pass through a 16-bit type. With a workspace of {@link #wideAttentionWorkspaceBytes}(batch * heads, queries,
     * keys) that is three launches for every batch item and head; a smaller one (at least (heads, 1, keys)) is used
     * per batch item and the largest chunk of queries it holds.
     */
    public void attentionWide(DType t, long q, AttentionLayout ql, long k, AttentionLayout kl, long v, AttentionLayout vl,
                              long o, AttentionLayout ol, int batch, int heads, int queries, int keys, int headDim, float scale,
                              long workspace, long workspaceBytes) {
        positive("batch", batch);
        positive("heads", heads);
        positive("queries", queries);
        positive("keys", keys);
        positive("head dim", headDim);
        require(wideAttentionUnsupported(t, heads, keys, headDim, ql, kl, vl, ol));
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("attention scale " + scale);
        aligned16("workspace", workspace);
        int chunk = wideAttentionQueryChunk(workspaceBytes, heads, queries, keys);
        if (chunk < 1) {
            throw new IllegalArgumentException("workspace of " + workspaceBytes + " bytes holds no query; one needs "
                    + wideAttentionWorkspaceBytes(heads, 1, keys));
        }
        if ((long) batch * heads <= MAX_GRID_YZ
                && wideAttentionQueryChunk(workspaceBytes, batch * heads, queries, keys) == queries) {
            wideChunk(t, q, ql, k, kl, v, vl, o, ol, 0, batch, heads, 0, queries, keys, headDim, scale, workspace);
            return;   // every batch item and head in one pass: three launches
        }
        for (int bi = 0; bi < batch; bi++) {
            for (int t0 = 0; t0 < queries; t0 += chunk) {
                wideChunk(t, q, ql, k, kl, v, vl, o, ol, bi, 1, heads, t0, Math.min(chunk, queries - t0), keys, headDim, scale,
                        workspace);
            }
        }
    }

    /** Batch items b0 .. b0 + nb - 1, all heads, queries t0 .. t0 + tc - 1: scores, softmax, P V. */
    private void wideChunk(DType t, long q, AttentionLayout ql, long k, AttentionLayout kl, long v, AttentionLayout vl, long o,
                           AttentionLayout ol, int b0, int nb, int heads, int t0, int tc, int keys, int headDim, float scale,
                           long workspace) {
        long es = t.byteSize, s8 = paddedKeys(keys);
        long rows = (long) nb * heads * tc;
        long scores = workspace, probs = workspace + align256(rows * keys * 4);
        long qa = q + (b0 * ql.batchStride() + t0 * ql.tokenStride()) * es;
        long oa = o + (b0 * ol.batchStride() + t0 * ol.tokenStride()) * es;
        gemm(t, false, true, qa, k + b0 * kl.batchStride() * es, 0, scores, nb * heads, tc, keys, headDim,
                (int) ql.tokenStride(), (int) kl.tokenStride(), keys, ql.headStride(), kl.headStride(), (long) tc * keys,
                heads, ql.batchStride(), kl.batchStride(), (long) heads * tc * keys, scale, TensorCoreEpilogue.NONE);
        launcher.launch("tc_softmax_f32_" + suffix(t), Dim3.of((int) rows), Dim3.of(256), 0,
                KernelArgs.of().ptr(scores).ptr(probs).i32(keys).i32(keys).i32((int) s8));
        gemm(t, true, false, probs, v + b0 * vl.batchStride() * es, 0, oa, nb * heads, tc, headDim, keys, (int) s8,
                (int) vl.tokenStride(), (int) ol.tokenStride(), tc * s8, vl.headStride(), ol.headStride(), heads,
                (long) heads * tc * s8, vl.batchStride(), ol.batchStride(), 1f, TensorCoreEpilogue.NONE);
    }
}
