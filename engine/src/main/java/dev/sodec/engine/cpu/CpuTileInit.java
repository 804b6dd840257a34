package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import java.lang.foreign.MemorySegment;

/**
 * What a convolution's or linear layer's output holds before its product accumulates onto it: the residual (when
 * there is no activation to come first), plus the bias, put into each tile of C just before the tile's first K
 * block, so the kernel reads it back from cache. Replaces a pass over the whole output ahead of the GEMM (for a
 * 1024 x 2560 linear, 10 MB written and then read back from memory). Per element the operations are the earlier
 * pass's, in its order (y = residual, y = y + bias, then the K blocks), so the bits are the same.
 */
final class CpuTileInit implements GemmDriver.TileInit {
    private static final CpuLoops LOOPS = CpuLoops.INSTANCE;

    private final MemorySegment residual;   // laid out like C (same byte offsets), or null
    private final MemorySegment bias;       // or null
    /** Bias per C row (a conv's output channel, rows {@code channels} per image) rather than per C column. */
    private final boolean biasPerRow;
    private final int channels;
    private final long ldc;

    private CpuTileInit(MemorySegment residual, MemorySegment bias, boolean biasPerRow, int channels, long ldc) {
        this.residual = residual;
        this.bias = bias;
        this.biasPerRow = biasPerRow;
        this.channels = channels;
        this.ldc = ldc;
    }

    /** A conv's (NCHW: C rows are (image, channel) pairs of {@code ldc} pixels): null when neither is given. */
    static CpuTileInit conv(MemorySegment residual, MemorySegment bias, int channels, int pixels) {
        return residual == null && bias == null ? null : new CpuTileInit(residual, bias, true, channels, pixels);
    }

    /** A linear layer's (C rows are tokens, columns the {@code out} features): null when neither is given. */
    static CpuTileInit linear(MemorySegment residual, MemorySegment bias, int out) {
        return residual == null && bias == null ? null : new CpuTileInit(residual, bias, false, out, out);
    }

    @Override
    public void apply(MemorySegment c, long off, long ldcBytes, int rows, int cols) {
        boolean copy = residual != null && residual.address() != c.address();
        for (int r = 0; r < rows; r++) {
            long rowElem = (off + r * ldcBytes) / 4;
            if (residual != null) {
                if (copy) MemorySegment.copy(residual, rowElem * 4, c, rowElem * 4, (long) cols * 4);
                if (bias == null) continue;
                if (biasPerRow) {
                    LOOPS.addScalar(c, c, rowElem, cols, biasOfRow(rowElem));
                } else {
                    LOOPS.addInPlace(c, rowElem, bias, rowElem % ldc, cols);
                }
            } else if (biasPerRow) {
                LOOPS.fill(c, rowElem, cols, biasOfRow(rowElem));
            } else {
                MemorySegment.copy(bias, (rowElem % ldc) * 4, c, rowElem * 4, (long) cols * 4);
            }
        }
    }

    private float biasOfRow(long rowElem) {
        return bias.getAtIndex(F32_LE, (rowElem / ldc) % channels);
    }
}
