package dev.sodec.engine.cpu;

import static dev.sodec.engine.cpu.VectorMath.L;
import static dev.sodec.engine.cpu.VectorMath.LE;
import static dev.sodec.engine.cpu.VectorMath.S;

import dev.sodec.engine.graph.Act;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The fused tail of a convolution or linear node, applied to each finished block of C while it is in cache:
 * {@code y = act(y)} (the bias is already in y), then {@code y += residual}, the residual laid out like y (same
 * byte offsets). Without an activation the residual is not applied here: it was copied into y before the GEMM
 * accumulated onto it.
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
            if (act != null) CpuActivation.range(act, c, rowElem, c, rowElem, 0, cols);
            if (residual != null) addResidual(c, residual, rowElem, cols);
        }
    }

    /** Applies the epilogue to a whole contiguous range of y (paths that write y without the GEMM driver). */
    void applyRange(MemorySegment y, long from, long to) {
        if (act != null) CpuActivation.range(act, y, 0, y, 0, from, to);
        if (residual != null) {
            for (long i = from; i < to; i += 1 << 16) addResidual(y, residual, i, (int) Math.min(1 << 16, to - i));
        }
    }

    private static void addResidual(MemorySegment y, MemorySegment res, long base, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            long o = (base + i) * 4;
            FloatVector.fromMemorySegment(S, y, o, LE).add(FloatVector.fromMemorySegment(S, res, o, LE)).intoMemorySegment(y, o, LE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long o = (base + i) * 4;
            FloatVector.fromMemorySegment(S, y, o, LE, m).add(FloatVector.fromMemorySegment(S, res, o, LE, m)).intoMemorySegment(y, o, LE, m);
        }
    }
}
