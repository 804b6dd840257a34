package dev.sodec.engine.cuda;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Epilogue;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import java.util.Map;
import dev.sodec.engine.tensor.DType;

/**
 * Runs one checked node on the device: operand and output addresses come from the program's plan. Maps each op to
 * our kernels ({@link CudaKernels}) and the device's GEMM.
 */
final class CudaNodes {
    private final CudaKernels k;
    private final TensorCoreKernels tc;
    private final Device device;
    private final DType t;
    private final Map<Node, Long> packed;
    private final Map<Node, ConvLibrary.Conv> library;

    /**
     * @param packed the packed weights of the nodes that run tensor-core convolutions ({@link TensorCorePaths})
     * @param library the convolutions that run on the library (cuDNN), chosen by {@link ConvPaths}
     */
    CudaNodes(CudaKernels k, TensorCoreKernels tc, Device device, DType storage, Map<Node, Long> packed,
              Map<Node, ConvLibrary.Conv> library) {
        this.k = k;
        this.tc = tc;
        this.device = device;
        this.t = storage;
        this.packed = packed;
        this.library = library;
    }

    void run(Node n, long[] in, long y, long ws) {
        switch (n.op) {
            case LINEAR -> linear(n, in, y);
            case MATMUL -> matmul(n, in, y);
            case CONV2D, CONV_TRANSPOSE2D -> {
                ConvLibrary.Conv lib = library.get(n);
                if (lib != null) libraryConv(n, lib, in, y);
                else if (packed.containsKey(n)) tensorCoreConv(n, in, y, ws);
                else if (n.op == Op.CONV2D) conv2d(n, in, y);
                else convTranspose2d(n, in, y);
            }
            case GDN -> k.gdn(t, in[0], y, in[1], in[2], n.dim(0), n.dim(1), (long) n.dim(2) * n.dim(3),
                    n.attrs(Attrs.Gdn.class).inverse());
            case GROUP_NORM -> {
                Attrs.GroupNorm a = n.attrs(Attrs.GroupNorm.class);
                int nb = n.dim(0), c = n.dim(1);
                long hw = n.numel() / ((long) nb * c);
                int chunks = CudaKernels.groupNormChunks((long) (c / a.groups()) * hw);
                k.groupNorm(t, in[0], y, in[1], in[2], ws, nb, c, a.groups(), hw, a.eps(), a.silu(), chunks);
            }
            case LAYER_NORM -> {
                int d = n.dim(-1);
                k.layerNorm(t, in[0], y, in[1], in[2], Math.toIntExact(n.numel() / d), d, n.attrs(Attrs.LayerNorm.class).eps());
            }
            case ATTENTION -> attention(n, in, y, ws);
            case SOFTMAX -> {
                int d = n.dim(-1);
                k.softmax(t, in[0], y, Math.toIntExact(n.numel() / d), d, 1f);
            }
            case UNARY -> unary(n.attrs(Act.class), in[0], y, n.numel());
            case GEGLU -> k.geglu(t, in[0], y, n.numel() / n.dim(-1), n.dim(-1));
            case ADD -> k.binary(t, CudaKernels.BINARY_ADD, in[0], in[1], y, n.numel(), 1, n.numel());
            case MUL -> k.binary(t, CudaKernels.BINARY_MUL, in[0], in[1], y, n.numel(), 1, n.numel());
            case ADD_PER_CHANNEL -> {
                Node bias = n.input(1);
                int nb = n.dim(0), c = n.dim(1);
                long inner = n.numel() / ((long) nb * c);
                k.binary(t, CudaKernels.BINARY_ADD, in[0], in[1], y, n.numel(), inner, bias.rank() == 2 ? (long) nb * c : c);
            }
            case UPSAMPLE_NEAREST -> {
                Node x = n.input(0);
                k.upsampleNearest(t, in[0], y, (long) x.dim(0) * x.dim(1), x.dim(2), x.dim(3), n.dim(2), n.dim(3));
            }
            case RESIZE_BILINEAR -> {
                Node x = n.input(0);
                k.resizeBilinear(t, in[0], y, (long) x.dim(0) * x.dim(1), x.dim(2), x.dim(3), n.dim(2), n.dim(3));
            }
            case PIXEL_SHUFFLE -> {
                Node x = n.input(0);
                k.pixelShuffle(t, in[0], y, x.dim(0), n.dim(1), x.dim(2), x.dim(3), n.attrs(Attrs.PixelShuffle.class).factor());
            }
            case CONCAT -> concat(n, in, y);
            case TRANSPOSE -> {
                int rows = n.dim(-1), cols = n.dim(-2);
                k.transpose(t, in[0], y, Math.toIntExact(n.numel() / ((long) rows * cols)), rows, cols);
            }
            case SLICE_COPY -> sliceCopy(n, in[0], y);
            case INPUT, CONSTANT, RESHAPE, SLICE -> throw new IllegalStateException(n + " is not run");
        }
    }

    private void conv2d(Node n, long[] in, long y) {
        Attrs.Conv a = n.attrs(Attrs.Conv.class);
        Node x = n.input(0), w = n.input(1);
        k.conv2d(t, in[0], in[1], in[2], y, x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), a.params());
        epilogue(a.epilogue(), in, y, n.numel());
    }

    private void convTranspose2d(Node n, long[] in, long y) {
        Attrs.Conv a = n.attrs(Attrs.Conv.class);
        Node x = n.input(0), w = n.input(1);
        k.convTranspose2d(t, in[0], in[1], in[2], y, x.dim(0), x.dim(1), x.dim(2), x.dim(3), n.dim(1), w.dim(2),
                w.dim(3), a.params());
        epilogue(a.epilogue(), in, y, n.numel());
    }

    /** A convolution on the library (cuDNN): its product, then the bias per channel and the epilogue as our kernels. */
    private void libraryConv(Node n, ConvLibrary.Conv lib, long[] in, long y) {
        lib.run(in[0], in[1], y);
        if (in[2] != 0) k.binary(t, CudaKernels.BINARY_ADD, y, in[2], y, n.numel(), (long) n.dim(2) * n.dim(3), n.dim(1));
        epilogue(n.attrs(Attrs.Conv.class).epilogue(), in, y, n.numel());
    }

    /**
     * A convolution on tensor cores: the input to NHWC in the node's workspace, then one launch with the epilogue
     * (activation, residual) in the kernel; an activation the kernel lacks runs after it, generically.
     */
    private void tensorCoreConv(Node n, long[] in, long y, long ws) {
        Attrs.Conv a = n.attrs(Attrs.Conv.class);
        Node x = n.input(0), w = n.input(1);
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
        Epilogue ep = a.epilogue();
        TensorCoreEpilogue e = TensorCorePaths.epilogue(ep, in[in.length - 1]);
        if (ep.residual() && (in[in.length - 1] & 3) != 0) e = null;   // a residual view at an odd offset
        tc.nchwToNhwc(t, in[0], ws, nb, cin, h, wd);
        TensorCoreEpilogue kernelEp = e == null ? TensorCoreEpilogue.NONE : e;
        if (n.op == Op.CONV2D) {
            tc.conv2d(t, ws, packed.get(n), in[2], y, false, nb, cin, h, wd, n.dim(1), w.dim(2), w.dim(3), a.params(), kernelEp);
        } else {
            tc.convTranspose2d(t, ws, packed.get(n), in[2], y, false, nb, cin, h, wd, n.dim(1), w.dim(2), w.dim(3), a.params(), kernelEp);
        }
        if (e == null) epilogue(ep, in, y, n.numel());
    }

    private void linear(Node n, long[] in, long y) {
        Node x = n.input(0), w = n.input(1);
        int features = x.dim(-1), out = w.dim(0);
        long rows = n.numel() / out;
        Epilogue ep = n.attrs(Attrs.Linear.class).epilogue();
        if (TensorCorePaths.linear(n, t) && ((in[0] | in[1]) & 15) == 0) {
            TensorCoreEpilogue e = TensorCorePaths.epilogue(ep, in[in.length - 1]);
            if (ep.residual() && (in[in.length - 1] & 3) != 0) e = null;
            tc.linear(t, in[0], in[1], in[2], y, (int) rows, features, out, e == null ? TensorCoreEpilogue.NONE : e);
            if (e == null) epilogue(ep, in, y, n.numel());
            return;
        }
        if (features == 0) {
            device.zero(y, n.numel() * t.byteSize);
        } else {
            device.gemm(t, 1, Math.toIntExact(rows), out, features, in[0], 0, false, in[1], 0, true, y);
        }
        if (in[2] != 0) k.binary(t, CudaKernels.BINARY_ADD, y, in[2], y, n.numel(), 1, out);
        epilogue(n.attrs(Attrs.Linear.class).epilogue(), in, y, n.numel());
    }

    private void matmul(Node n, long[] in, long y) {
        Node a = n.input(0), b = n.input(1);
        int batch = n.dim(0), m = n.dim(1), cols = n.dim(2), kk = a.dim(-1);
        if (kk == 0) {
            device.zero(y, n.numel() * t.byteSize);
            return;
        }
        boolean shared = b.rank() == 2 || b.dim(0) == 1;
        device.gemm(t, batch, m, cols, kk, in[0], (long) m * kk, false, in[1], shared ? 0 : (long) kk * cols, false, y);
    }

    /** A fused epilogue on a backend without the fused kernel: the activation, then the residual, in place. */
    private void epilogue(Epilogue e, long[] in, long y, long n) {
        if (e.act() != null) unary(e.act(), y, y, n);
        if (e.residual()) k.binary(t, CudaKernels.BINARY_ADD, y, in[in.length - 1], y, n, 1, n);
    }

    private void unary(Act a, long x, long y, long n) {
        switch (a.kind()) {
            case SILU -> k.unary(t, CudaKernels.UNARY_SILU, x, y, n);
            case GELU_ERF -> k.unary(t, CudaKernels.UNARY_GELU, x, y, n);
            case GELU_TANH -> k.unary(t, CudaKernels.UNARY_GELU_TANH, x, y, n);
            case QUICK_GELU -> k.unary(t, CudaKernels.UNARY_QUICK_GELU, x, y, n);
            case LEAKY_RELU -> k.unary(t, CudaKernels.UNARY_LEAKY_RELU, a.a(), 0f, x, y, n);
            // |x| is a leaky ReLU with slope -1
            case ABS -> k.unary(t, CudaKernels.UNARY_LEAKY_RELU, -1f, 0f, x, y, n);
            case SCALE -> k.unary(t, CudaKernels.UNARY_SCALE, a.a(), a.b(), x, y, n);
            case CLAMP -> k.unary(t, CudaKernels.UNARY_CLAMP, a.a(), a.b(), x, y, n);
        }
    }

    private void attention(Node n, long[] in, long o, long ws) {
        Attrs.Attention a = n.attrs(Attrs.Attention.class);
        Node q = n.input(0), key = n.input(1);
        int nb = q.dim(0), tq = q.dim(1), c = q.dim(2), s = key.dim(1), heads = a.heads(), dh = c / heads;
        int path = TensorCorePaths.attention(n, t);
        boolean aligned = ((in[0] | in[1] | in[2]) & 15) == 0 && (o & 3) == 0 && (ws & 15) == 0;
        if (path != 0 && aligned) {
            AttentionLayout ql = AttentionLayout.tokensMajor(tq, heads, dh), kl = AttentionLayout.tokensMajor(s, heads, dh);
            if (path == 1) tc.attention(t, in[0], ql, in[1], kl, in[2], kl, o, ql, nb, heads, tq, s, dh, a.scale());
            else tc.attentionWide(t, in[0], ql, in[1], kl, in[2], kl, o, ql, nb, heads, tq, s, dh, a.scale(), ws,
                    TensorCorePaths.workspaceBytes(n, t));
            return;
        }
        if (dh <= CudaKernels.MAX_HEAD_DIM) {
            AttentionLayout ql = AttentionLayout.tokensMajor(tq, heads, dh), kl = AttentionLayout.tokensMajor(s, heads, dh);
            k.attention(t, in[0], ql, in[1], kl, in[2], kl, o, ql, nb, heads, tq, s, dh, a.scale());
        } else {
            // wide heads (the VAE mid-block's single 512-wide head): GEMM, softmax, GEMM over a score matrix
            k.attentionUnfused(t, in[0], in[1], in[2], o, ws, nb, heads, tq, s, dh, a.scale());
        }
    }

    private void concat(Node n, long[] in, long y) {
        int d = n.attrs(Attrs.Concat.class).dim();
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= n.dim(i);
        for (int i = d + 1; i < n.rank(); i++) inner *= n.dim(i);
        int used = 0;
        for (int i = 0; i < in.length; i++) if (n.input(i).dim(d) > 0) used++;
        long[] srcs = new long[used], inners = new long[used];
        int j = 0;
        for (int i = 0; i < in.length; i++) {
            if (n.input(i).dim(d) == 0) continue;
            srcs[j] = in[i];
            inners[j++] = n.input(i).dim(d) * inner;
        }
        k.concat(t, y, outer, srcs, inners);
    }

    /** A non-contiguous range: one device copy per outer row (slices of a batch: few rows). */
    private void sliceCopy(Node n, long x, long y) {
        Attrs.Slice s = n.attrs(Attrs.Slice.class);
        Node src = n.input(0);
        long outer = 1, inner = 1;
        for (int i = 0; i < s.dim(); i++) outer *= src.dim(i);
        for (int i = s.dim() + 1; i < src.rank(); i++) inner *= src.dim(i);
        long es = t.byteSize, srcRow = src.dim(s.dim()) * inner * es, dstRow = n.dim(s.dim()) * inner * es;
        for (long o = 0; o < outer; o++) device.copy(x + o * srcRow + s.start() * inner * es, y + o * dstRow, dstRow);
    }
}
