package dev.sodec.engine.cpu;

/**
 * A source of GEMM operand slivers. The driver asks for {@code width} consecutive rows of op(A) (width MR) or
 * columns of op(B) (width NR) over a K range, and the source writes them K-major into a packed float[]:
 * {@code dst[off + p * width + r]} for p in [0, kc), r in [0, width), zero where r >= rows. Sources may read
 * strided segments or build the operand on the fly (implicit im2col), so the driver never sees the layout.
 */
interface Panel {
    /**
     * @param r0 first row (of op(A)) or column (of op(B)) of the sliver
     * @param rows valid rows, 1..width; lanes past it are zero-filled
     * @param p0 first K index
     * @param kc number of K indices
     */
    void pack(float[] dst, int off, int width, int r0, int rows, int p0, int kc);
}
