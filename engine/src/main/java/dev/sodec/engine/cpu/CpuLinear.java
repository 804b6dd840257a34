package dev.sodec.engine.cpu;

import dev.sodec.engine.graph.Act;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Linear layers and batched matrix products through the packed GEMM, writing into a given output. A linear node's
 * fused epilogue works as the convolution's does ({@link CpuConv}): residual (and bias) first when there is no
 * activation, else the activation and the residual per finished tile.
 */
final class CpuLinear {
    private CpuLinear() {}

    /** A linear weight (out, in) as the GEMM's B operand, read transposed, packed per call. */
    static Panel weightPanel(Tensor weight) {
        return SegmentPanel.rowMajor(weight.data(), 0, weight.dim(-1));
    }

    /**
     * y (rows, out) = x (rows, in) weight^T (+ bias), then the epilogue; {@code weight} is B's panel. The residual
     * (without an activation) and the bias go into each tile of y just before the product accumulates onto it.
     */
    static void linear(Parallel par, Tensor x, Panel weight, Tensor bias, Act act, Tensor residual, Tensor y) {
        int in = x.dim(-1), out = y.dim(-1);
        int rows = (int) (y.numel() / Math.max(out, 1));
        MemorySegment yd = y.data();
        MemorySegment pre = act == null && residual != null ? residual.data() : null;
        MemorySegment bd = bias == null ? null : bias.data();
        CpuEpilogue epi = CpuEpilogue.of(act, act == null || residual == null ? null : residual.data());
        GemmDriver.run(CpuGemm.usable(par, x.data(), yd, bd, residual == null ? null : residual.data()), rows,
                out, in, SegmentPanel.rowMajor(x.data(), 0, in), weight, yd, 0, out, false,
                CpuTileInit.linear(pre, bd, out), epi);
    }

    /** c (B, M, N) = a (B, M, K) x b (B or 1, K, N); rank-2 operands are a batch of one. */
    static void matmul(Parallel par, Tensor a, Tensor b, Tensor c) {
        int batch = c.dim(0), m = c.dim(1), n = c.dim(2);
        int k = a.dim(-1);
        boolean shared = b.rank() == 2 || b.dim(0) == 1;
        MemorySegment ad = a.data(), bd = b.data(), cd = c.data();
        for (int i = 0; i < batch; i++) {
            long bOff = shared ? 0 : (long) i * k * n;
            CpuGemm.sgemm(par, m, n, k, ad, (long) i * m * k, k, false, bd, bOff, n, false, cd, (long) i * m * n, n, false);
        }
    }
}
