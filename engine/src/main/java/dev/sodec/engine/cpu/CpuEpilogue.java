package dev.sodec.engine.cpu;

import dev.sodec.engine.graph.Act;
import java.lang.foreign.MemorySegment;

/**
 * The fused tail of a convolution or linear node, applied to each finished block of C while it is in cache:
 * {@code y = act(y)} (the bias is already in y), then {@code y += residual}, the residual laid out like y (same
 * byte offsets). Without an activation the residual is not applied here: it was put into y before the GEMM
 * accumulated onto it ({@link CpuTileInit}).
 */
final class CpuEpilogue implements GemmDriver.TileEpilogue {
    private final Act act;
    private final MemorySegment residual;   // null unless an activation comes first

    private CpuEpilogue(Act act, MemorySegment residual) {
        this.act = act;
        this.residual = residual;
    }

    /** The tile epilogue for {@code act} (may be null) and a residual (null when none or already accumulated). */
    static CpuEpilogue of(Act act, MemorySegment residual) {
        return act == null && residual == null ? null : new CpuEpilogue(act, residual);
    }

    @Override
    public void apply(MemorySegment c, long off, long ldcBytes, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long rowElem = (off + r * ldcBytes) / 4;
            if (act != null) CpuLoops.INSTANCE.activation(act, c, rowElem, c, rowElem, 0, cols);
            if (residual != null) CpuLoops.INSTANCE.addInPlace(c, rowElem, residual, rowElem, cols);
        }
    }

    /** Applies the epilogue to a whole contiguous range of y (paths that write y without the GEMM driver). */
    void applyRange(MemorySegment y, long from, long to) {
        if (act != null) CpuLoops.INSTANCE.activation(act, y, 0, y, 0, from, to);
        if (residual != null) CpuLoops.INSTANCE.addInPlace(y, from, residual, from, to - from);
    }
}
