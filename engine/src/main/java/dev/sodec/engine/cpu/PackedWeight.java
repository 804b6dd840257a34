package dev.sodec.engine.cpu;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A constant GEMM operand (a convolution's or linear layer's weight, rows x K row-major) packed once into the
 * slivers {@link GemmDriver} multiplies; the micro-kernel reads them where they are (as a {@link Panel} it also
 * hands out copies, for callers that pack).
 * Without it every forward pass re-packed every weight: at 256x256 the SD 2.1 UNet spent about a third of its time
 * there, since its GEMMs have few pixels per weight.
 *
 * <p>Layout: K blocks of {@link GemmDriver#KC} in order; inside block {@code p0} the slivers of {@code width} rows
 * one after another, each {@code kc x width} floats K-major (the {@link Panel} contract) with the rows past the end
 * zero. That puts sliver {@code r0} of block {@code p0} at float {@code rowsPad * p0 + r0 * kc}, the layout the
 * driver keeps a whole A in, and the packed values are the ones the weight's own panel writes, so the products are
 * bit-identical to packing per call.
 */
final class PackedWeight implements Panel {
    private final Arena arena;
    private final MemorySegment packed;
    private final int rows, k, width, rowsPad;

    private PackedWeight(Arena arena, MemorySegment packed, int rows, int k, int width) {
        this.arena = arena;
        this.packed = packed;
        this.rows = rows;
        this.k = k;
        this.width = width;
        this.rowsPad = GemmDriver.roundUp(rows, width);
    }

    /**
     * Packs {@code weight} (dimension 0 = rows, the rest = K, contiguous F32) into slivers of {@code width} rows
     * ({@link GemmDriver#MR} for an A operand, {@link GemmDriver#NR} for a B operand read transposed).
     */
    static PackedWeight pack(Parallel par, Tensor weight, int width) {
        int rows = weight.dim(0);
        long kl = weight.numel() / Math.max(rows, 1);
        if (kl > Integer.MAX_VALUE) throw new IllegalArgumentException("weight too large to pack: " + kl + " columns");
        int k = (int) kl;
        return pack(CpuGemm.usable(par, weight.data()), SegmentPanel.rowMajor(weight.data(), 0, k), rows, k, width);
    }

    /**
     * Packs {@code rows} x {@code k} as {@code src} presents it, every sliver in parallel at its place in the layout
     * (K blocks in order, slivers of {@code width} rows one after another in each).
     */
    private static PackedWeight pack(Parallel par, Panel src, int rows, int k, int width) {
        int rowsPad = GemmDriver.roundUp(rows, width);
        int slivers = rowsPad / width, kBlocks = Math.ceilDiv(k, GemmDriver.KC);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment dst = HugePageMemory.allocate(arena, Math.max(1L, (long) rowsPad * k * 4));
            par.forRange(slivers * kBlocks, 4, (s0, s1) -> {
                float[] tmp = new float[width * GemmDriver.KC];
                for (int s = s0; s < s1; s++) {
                    int p0 = (s / slivers) * GemmDriver.KC, kc = Math.min(GemmDriver.KC, k - p0), r0 = (s % slivers) * width;
                    src.pack(tmp, 0, width, r0, Math.min(width, rows - r0), p0, kc);
                    MemorySegment.copy(tmp, 0, dst, ValueLayout.JAVA_FLOAT, ((long) rowsPad * p0 + (long) r0 * kc) * 4,
                            width * kc);
                }
            });
            return new PackedWeight(arena, dst, rows, k, width);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * An operand packed in this layout by its owner ({@code rows} x {@code k}, slivers of {@code width}): a Winograd
     * filter's U[xi] as a B operand. The view does not own the memory; {@link #free} leaves it alone.
     */
    static PackedWeight view(MemorySegment packed, int rows, int k, int width) {
        long need = (long) GemmDriver.roundUp(rows, width) * k * 4;
        if (packed.byteSize() < need) {
            throw new IllegalArgumentException("packed operand is " + packed.byteSize() + " bytes, needs " + need);
        }
        return new PackedWeight(null, packed, rows, k, width);
    }

    @Override
    public void pack(float[] dst, int off, int w, int r0, int n, int p0, int kc) {
        if (w != width || r0 % width != 0 || p0 % GemmDriver.KC != 0 || kc != Math.min(GemmDriver.KC, k - p0)) {
            throw new IllegalStateException("packed weight (" + rows + "x" + k + ", slivers of " + width
                    + ") asked for a sliver it does not hold: width " + w + ", row " + r0 + ", K " + p0 + "+" + kc);
        }
        MemorySegment.copy(packed, ValueLayout.JAVA_FLOAT, byteOffset(p0, r0, kc), dst, off, width * kc);
    }

    /**
     * Copies the sliver at row {@code r0} of K block {@code p0} into {@code dst} from 0: the array kernel over a copy
     * beat the kernel reading a sliver from native memory in place (one thread, in cache, Zen 4: 104-109 against 93
     * GFLOP/s for a sliver used 2-4 times), and the bulk copy streams the weight from memory ahead of the kernel.
     */
    static void copySliver(PackedWeight w, int p0, int r0, int kc, float[] dst) {
        MemorySegment.copy(w.packed, ValueLayout.JAVA_FLOAT, w.byteOffset(p0, r0, kc), dst, 0, w.width * kc);
    }

    /** The packed floats (native byte order). */
    MemorySegment segment() {
        return packed;
    }

    /** {@code p} when it is a PackedWeight (read in place by the kernels), else null. */
    static PackedWeight of(Panel p) {
        return p instanceof PackedWeight w ? w : null;
    }

    /** Byte offset of the sliver starting at row {@code r0} (a multiple of the width) in the K block at {@code p0}. */
    long byteOffset(int p0, int r0, int kc) {
        return ((long) rowsPad * p0 + (long) r0 * kc) * 4;
    }

    void free() {
        if (arena != null) arena.close();
    }
}
