package dev.sodec.engine.cuda;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Epilogue;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.tensor.DType;

/**
 * Which nodes run on our tensor-core kernels ({@link TensorCoreKernels}): with F16/BF16 storage, the convolutions,
 * transposed convolutions, linear layers and attentions whose shapes the kernels take (their own predicates), the
 * convolution weights being constants (packed once per weight). Everything else keeps the CUDA-core kernels and
 * cuBLAS. One place decides, so the workspace the plan reserves and the kernel the node runs agree.
 */
final class TensorCorePaths {
    private TensorCorePaths() {}

    /** Largest workspace the wide-head attention takes; it works through query chunks when the whole does not fit. */
    static final long MAX_WIDE_ATTENTION_WORKSPACE = 64L << 20;

    static boolean tensorCores(DType storage) {
        return storage == DType.F16 || storage == DType.BF16;
    }

    static boolean conv(Node n, DType t) {
        if (!tensorCores(t) || n.input(1).op != Op.CONSTANT) return false;
        Node x = n.input(0), w = n.input(1);
        Attrs.Conv a = n.attrs(Attrs.Conv.class);
        if (n.op == Op.CONV2D) {
            return TensorCoreKernels.supportsConv2d(t, x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), a.params());
        }
        return n.op == Op.CONV_TRANSPOSE2D && TensorCoreKernels.supportsConvTranspose2d(t, x.dim(0), x.dim(1), x.dim(2), x.dim(3),
                n.dim(1), w.dim(2), w.dim(3), a.params());
    }

    static boolean linear(Node n, DType t) {
        if (!tensorCores(t)) return false;
        int in = n.input(0).dim(-1), out = n.dim(-1);
        long rows = n.numel() / Math.max(out, 1);
        return in > 0 && rows <= Integer.MAX_VALUE && TensorCoreKernels.gemmUnsupported(t, 1, (int) rows, out, in, in, 0, 0) == null;
    }

    private static AttentionLayout[] layouts(Node n) {
        Node q = n.input(0), k = n.input(1);
        int heads = n.attrs(Attrs.Attention.class).heads(), dh = q.dim(2) / heads;
        AttentionLayout ql = AttentionLayout.tokensMajor(q.dim(1), heads, dh), kl = AttentionLayout.tokensMajor(k.dim(1), heads, dh);
        return new AttentionLayout[] {ql, kl};
    }

    /** 1: fused flash attention, 2: wide-head attention, 0: neither. */
    static int attention(Node n, DType t) {
        if (!tensorCores(t) || n.input(2).dim(2) != n.input(0).dim(2)) return 0;
        Node q = n.input(0);
        int heads = n.attrs(Attrs.Attention.class).heads(), dh = q.dim(2) / heads;
        AttentionLayout[] l = layouts(n);
        if (TensorCoreKernels.attentionUnsupported(t, q.dim(0), heads, dh, l[0], l[1], l[1], l[0]) == null) return 1;
        if (TensorCoreKernels.wideAttentionUnsupported(t, heads, n.input(1).dim(1), dh, l[0], l[1], l[1], l[0]) == null) return 2;
        return 0;
    }

    /** Scratch a tensor-core node needs: the NHWC copy of a convolution's input; the wide attention's scores. */
    static long workspaceBytes(Node n, DType t) {
        if ((n.op == Op.CONV2D || n.op == Op.CONV_TRANSPOSE2D) && conv(n, t)) return n.input(0).numel() * t.byteSize;
        if (n.op == Op.ATTENTION && attention(n, t) == 2) {
            Node q = n.input(0);
            int heads = n.attrs(Attrs.Attention.class).heads(), keys = n.input(1).dim(1);
            long all = TensorCoreKernels.wideAttentionWorkspaceBytes(q.dim(0) * heads, q.dim(1), keys);
            long oneRow = TensorCoreKernels.wideAttentionWorkspaceBytes(heads, 1, keys);
            return Math.max(oneRow, Math.min(all, MAX_WIDE_ATTENTION_WORKSPACE));
        }
        return 0;
    }

    /**
     * The kernel epilogue for a graph epilogue, or null when its activation is not one the kernels have (the node then
     * runs the plain product and the generic epilogue after it). A multiply without offset and residual becomes the
     * kernel's output scale.
     */
    static TensorCoreEpilogue epilogue(Epilogue e, long residual) {
        Act a = e.act();
        int code;
        float param = 0f, scale = 1f;
        if (a == null) {
            code = TensorCoreEpilogue.ACT_NONE;
        } else {
            switch (a.kind()) {
                case SILU -> code = TensorCoreEpilogue.ACT_SILU;
                case GELU_ERF -> code = TensorCoreEpilogue.ACT_GELU;
                case GELU_TANH -> code = TensorCoreEpilogue.ACT_GELU_TANH;
                case QUICK_GELU -> code = TensorCoreEpilogue.ACT_QUICK_GELU;
                case LEAKY_RELU -> {
                    code = TensorCoreEpilogue.ACT_LEAKY_RELU;
                    param = a.a();
                }
                case SCALE -> {
                    if (a.b() != 0f || e.residual()) return null;
                    code = TensorCoreEpilogue.ACT_NONE;
                    scale = a.a();
                }
                default -> {
                    return null;
                }
            }
        }
        return new TensorCoreEpilogue(code, param, e.residual() ? residual : 0, scale);
    }
}
