package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.tensor.DType;
import java.util.Locale;

/**
 * What decides how fast a convolution node runs, and so the key under which its path (cuDNN or our kernels) is
 * chosen once: geometry, storage type, and what runs after the product (bias, fused activation / residual), since
 * our tensor-core kernels fuse that epilogue and the cuDNN path runs it as separate kernels.
 *
 * @param transposed a transposed convolution (weight (cin, cout / groups, kh, kw)), else weight (cout, cin / groups, kh, kw)
 * @param epilogue the fused epilogue's label ("" for none, "+silu+residual" ...)
 */
record ConvShape(boolean transposed, DType type, int batch, int cin, int h, int w, int cout, int kh, int kw,
                 Conv2dParams params, boolean bias, String epilogue) {

    static ConvShape of(Node n, DType t) {
        if (n.op != Op.CONV2D && n.op != Op.CONV_TRANSPOSE2D) throw new IllegalArgumentException(n + " is not a convolution");
        Attrs.Conv a = n.attrs(Attrs.Conv.class);
        Node x = n.input(0), wt = n.input(1);
        return new ConvShape(n.op == Op.CONV_TRANSPOSE2D, t, x.dim(0), x.dim(1), x.dim(2), x.dim(3), n.dim(1), wt.dim(2),
                wt.dim(3), a.params(), n.input(2) != null, a.epilogue().label());
    }

    int outH() {
        return transposed ? params.transposedOutH(h, kh) : params.outH(h, kh);
    }

    int outW() {
        return transposed ? params.transposedOutW(w, kw) : params.outW(w, kw);
    }

    /**
     * Whether cuDNN can express it: a transposed convolution is cuDNN's backward-data pass of the forward
     * convolution from our output to our input, which exists only when that forward convolution's output size is
     * our input size, i.e. the output padding is smaller than the stride.
     */
    boolean cudnnExpressible() {
        if (type != DType.F32 && type != DType.F16 && type != DType.BF16) return false;
        if (!transposed) return true;
        return params.outputPadH() < params.strideH() && params.outputPadW() < params.strideW()
                && params.outH(outH(), kh) == h && params.outW(outW(), kw) == w;
    }

    /** e.g. "conv 3x3 320->320 64x64 f16", "conv_transpose 4x4/s2 192->192 16x16 f32+silu": the report's name for it. */
    String label() {
        Conv2dParams p = params;
        StringBuilder s = new StringBuilder(transposed ? "conv_transpose " : "conv ").append(kh).append('x').append(kw);
        if (p.strideH() != 1 || p.strideW() != 1) s.append("/s").append(p.strideH() == p.strideW() ? "" + p.strideH() : p.strideH() + "," + p.strideW());
        if (p.dilationH() != 1 || p.dilationW() != 1) s.append("/d").append(p.dilationH() == p.dilationW() ? "" + p.dilationH() : p.dilationH() + "," + p.dilationW());
        if (p.groups() != 1) s.append("/g").append(p.groups());
        s.append(' ').append(cin).append("->").append(cout).append(' ').append(h).append('x').append(w);
        if (batch != 1) s.append(" n").append(batch);
        s.append(' ').append(type.name().toLowerCase(Locale.ROOT));
        if (!bias) s.append(" no-bias");
        return s.append(epilogue).toString();
    }
}
