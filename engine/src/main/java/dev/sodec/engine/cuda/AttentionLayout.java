package dev.sodec.engine.cuda;

/**
 * Where one attention operand lives: element strides between batches, heads and tokens; the head dimension is
 * contiguous. Lets the kernel read (B, T, H*D) projections and (B, H, T, D) tensors alike without a permute.
 */
public record AttentionLayout(long batchStride, long headStride, long tokenStride) {
    public AttentionLayout {
        if (batchStride < 0 || headStride < 0 || tokenStride < 0) {
            throw new IllegalArgumentException("attention strides must be >= 0: " + batchStride + ", " + headStride + ", " + tokenStride);
        }
    }

    /** (B, T, H * D): heads interleaved inside each token, as a linear projection writes them. */
    public static AttentionLayout tokensMajor(int tokens, int heads, int headDim) {
        return new AttentionLayout((long) tokens * heads * headDim, headDim, (long) heads * headDim);
    }

    /** (B, H, T, D): each head's tokens contiguous. */
    public static AttentionLayout headsMajor(int tokens, int heads, int headDim) {
        return new AttentionLayout((long) heads * tokens * headDim, (long) tokens * headDim, headDim);
    }
}
