package dev.sodec.engine.cpu;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Epilogue;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;


/** Runs one checked node on the CPU: operands and output are contiguous F32 views the program resolved. */
final class CpuNodes {
    private CpuNodes() {}

    static void run(Parallel par, Node n, Tensor[] in, Tensor y, MemorySegment workspace) {
        run(par, n, in, y, workspace, null, null);
    }

    /**
     * @param winograd the conv's Winograd filter when it runs by Winograd (then workspace is its block), else null
     * @param packed the conv's or linear's weight packed for the GEMM (then {@code in[1]} may be null), else null
     */
    static void run(Parallel par, Node n, Tensor[] in, Tensor y, MemorySegment workspace, WinogradConv.Filter winograd,
                    PackedWeight packed) {
        if (y.numel() == 0) return;
        switch (n.op) {
            case LINEAR -> {
                Epilogue e = n.attrs(Attrs.Linear.class).epilogue();
                Panel w = packed != null ? packed : CpuLinear.weightPanel(in[1]);
                CpuLinear.linear(par, in[0], w, in[2], e.act(), e.residual() ? in[3] : null, y);
            }
            case MATMUL -> CpuLinear.matmul(par, in[0], in[1], y);
            case CONV2D -> {
                Attrs.Conv a = n.attrs(Attrs.Conv.class);
                Epilogue e = a.epilogue();
                if (winograd != null) {
                    WinogradConv.run(par, in[0], winograd, in[2], a.params(), e.act(), e.residual() ? in[3] : null, y,
                            workspace);
                } else {
                    Panel w = packed != null ? packed : CpuConv.weightPanel(in[1], a.params().groups());
                    CpuConv.conv2d(par, in[0], n.input(1).shape(), w, in[2], a.params(), e.act(),
                            e.residual() ? in[3] : null, y, workspace);
                }
            }
            case CONV_TRANSPOSE2D -> {
                Attrs.Conv a = n.attrs(Attrs.Conv.class);
                Epilogue e = a.epilogue();
                CpuConv.convTranspose2d(par, in[0], in[1], in[2], a.params(), e.act(), e.residual() ? in[3] : null, y);
            }
            case GDN -> CpuGdn.gdn(par, in[0], in[1], in[2], n.attrs(Attrs.Gdn.class).inverse(), y, workspace);
            case GROUP_NORM -> {
                Attrs.GroupNorm a = n.attrs(Attrs.GroupNorm.class);
                CpuNorm.groupNorm(par, in[0], a.groups(), in[1], in[2], a.eps(), a.silu(), y);
            }
            case LAYER_NORM -> CpuNorm.layerNorm(par, in[0], in[1], in[2], n.attrs(Attrs.LayerNorm.class).eps(), y);
            case ATTENTION -> {
                Attrs.Attention a = n.attrs(Attrs.Attention.class);
                CpuAttention.attention(par, in[0], in[1], in[2], a.heads(), a.scale(), y);
            }
            case SOFTMAX -> CpuNorm.softmax(par, in[0], y);
            case UNARY -> CpuElementwise.unary(par, n.attrs(Act.class), in[0], y);
            case GEGLU -> CpuElementwise.geglu(par, in[0], y);
            case ADD -> CpuElementwise.binary(par, in[0], in[1], y, false);
            case MUL -> CpuElementwise.binary(par, in[0], in[1], y, true);
            case ADD_PER_CHANNEL -> CpuElementwise.addPerChannel(par, in[0], in[1], y);
            case UPSAMPLE_NEAREST -> CpuResample.upsampleNearest(par, in[0], y);
            case RESIZE_BILINEAR -> CpuResample.resizeBilinear(par, in[0], y);
            case PIXEL_SHUFFLE -> CpuResample.pixelShuffle(par, in[0], n.attrs(Attrs.PixelShuffle.class).factor(), y);
            case CONCAT -> CpuLayout.concat(par, n.attrs(Attrs.Concat.class).dim(), nonEmpty(in, n.attrs(Attrs.Concat.class).dim()), y);
            case TRANSPOSE -> CpuLayout.transpose(par, in[0], y);
            case SLICE_COPY -> {
                Attrs.Slice s = n.attrs(Attrs.Slice.class);
                CpuLayout.sliceCopy(par, in[0], s.dim(), s.start(), y);
            }
            case INPUT, CONSTANT, RESHAPE, SLICE -> throw new IllegalStateException(n + " is not run");
        }
    }

    /** Concat operands that contribute elements (an empty one has nothing to copy). */
    private static Tensor[] nonEmpty(Tensor[] in, int d) {
        int k = 0;
        for (Tensor t : in) if (t.dim(d) > 0) k++;
        if (k == in.length) return in;
        Tensor[] out = new Tensor[k];
        k = 0;
        for (Tensor t : in) if (t.dim(d) > 0) out[k++] = t;
        return out;
    }

}
