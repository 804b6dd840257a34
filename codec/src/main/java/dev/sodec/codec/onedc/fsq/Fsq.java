package dev.sodec.codec.onedc.fsq;

import java.util.Arrays;

/**
 * Finite scalar quantization as vector_quantize_pytorch 1.21.2 {@code FSQ(levels)} computes it in eval (float32, no
 * projections): per channel d with L levels, half_l = (L - 1)(1 + 1e-3) / 2, offset = 0.5 for even L else 0,
 * shift = atanh(offset / half_l); bound(z) = tanh(z + shift) half_l - offset; code = round_half_even(bound) / (L / 2).
 * The index of a position is sum_d (code_d (L_d / 2) + L_d / 2) basis_d with basis = cumprod([1] + levels[:-1])
 * (channel 0 least significant). OneDC uses [4]*7: codes in {-1, -0.5, 0, 0.5} and 14-bit indices.
 *
 * <p>Tensors are channel-first (d, h, w) flattened, batch 1, as OneDC's z is. Immutable and thread-safe.
 */
public final class Fsq {
    /** The reference's {@code 1 + eps} (eps = 1e-3), a Python float, as the float32 torch multiplies by. */
    private static final float ONE_PLUS_EPS = (float) (1 + 1e-3);
    /** Most channels; the codebook size must also fit an int. */
    public static final int MAX_DIMS = 16;

    private final int[] levels;
    private final int[] basis;
    private final int[] halfWidth;
    private final float[] halfL;
    private final float[] offset;
    private final float[] shift;
    private final int codebookSize;

    public Fsq(int... levels) {
        if (levels.length < 1 || levels.length > MAX_DIMS) throw new IllegalArgumentException("FSQ needs 1.." + MAX_DIMS + " levels, got " + levels.length);
        long size = 1;
        for (int l : levels) {
            if (l < 2 || l > 1 << 16) throw new IllegalArgumentException("FSQ level " + l + " outside 2..65536");
            size *= l;
            if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("FSQ codebook of levels " + Arrays.toString(levels) + " exceeds 2^31");
        }
        this.levels = levels.clone();
        this.codebookSize = (int) size;
        int d = levels.length;
        basis = new int[d];
        halfWidth = new int[d];
        halfL = new float[d];
        offset = new float[d];
        shift = new float[d];
        int b = 1;
        for (int i = 0; i < d; i++) {
            basis[i] = b;
            b *= levels[i];
            halfWidth[i] = levels[i] / 2;
            // torch: (levels - 1) * (1 + eps) / 2 on an int tensor with a Python float: float32 throughout.
            halfL[i] = (float) (levels[i] - 1) * ONE_PLUS_EPS / 2f;
            offset[i] = levels[i] % 2 == 0 ? 0.5f : 0f;
            shift[i] = (float) atanh(offset[i] / halfL[i]);
        }
    }

    /** OneDC's z quantizer, {@code FSQ([4] * 7)}. */
    public static Fsq onedc() {
        return new Fsq(4, 4, 4, 4, 4, 4, 4);
    }

    public int dims() { return levels.length; }

    public int[] levels() { return levels.clone(); }

    public int codebookSize() { return codebookSize; }

    /** Bits of a fixed-length index (OneDC: 14); the codebook size must be a power of two. */
    public int indexBits() {
        if (Integer.bitCount(codebookSize) != 1) throw new IllegalStateException("codebook size " + codebookSize + " is not a power of two");
        return Integer.numberOfTrailingZeros(codebookSize);
    }

    /** {@code bound(z)} of channel d, float32. */
    public float bound(int d, float z) {
        return (float) Math.tanh(z + shift[d]) * halfL[d] - offset[d];
    }

    /**
     * The code of channel d for input z: round_half_even(bound(z)) / (L / 2), computed as the reference's
     * straight-through {@code b + (round(b) - b)} (the same value, but +0 where round gives -0).
     */
    public float code(int d, float z) {
        float b = bound(d, z);
        return (b + ((float) Math.rint(b) - b)) / halfWidth[d];
    }

    /** {@link #bound} of a channel-first (dims, n) array. */
    public float[] bound(float[] z) {
        int n = positions(z.length);
        float[] out = new float[z.length];
        for (int d = 0; d < levels.length; d++) for (int i = 0; i < n; i++) out[d * n + i] = bound(d, z[d * n + i]);
        return out;
    }

    /** The codes of a channel-first (dims, n) array (the FSQ forward output). */
    public float[] codes(float[] z) {
        int n = positions(z.length);
        float[] out = new float[z.length];
        for (int d = 0; d < levels.length; d++) for (int i = 0; i < n; i++) out[d * n + i] = code(d, z[d * n + i]);
        return out;
    }

    /**
     * The index of every position of channel-first codes (dims, n).
     *
     * @throws IllegalArgumentException for a value that is not a code of its channel
     */
    public int[] indices(float[] codes) {
        int n = positions(codes.length);
        int[] out = new int[n];
        for (int d = 0; d < levels.length; d++) {
            for (int i = 0; i < n; i++) {
                float c = codes[d * n + i] * halfWidth[d] + halfWidth[d];
                int digit = (int) c;
                if (digit != c || digit < 0 || digit >= levels[d]) {
                    throw new IllegalArgumentException("value " + codes[d * n + i] + " at channel " + d + " is not an FSQ code of " + levels[d] + " levels");
                }
                out[i] += digit * basis[d];
            }
        }
        return out;
    }

    /**
     * Channel-first codes (dims, n) of n indices ({@code indices_to_codes}).
     *
     * @throws IllegalArgumentException for an index outside the codebook
     */
    public float[] codesOf(int[] indices) {
        int n = indices.length;
        float[] out = new float[levels.length * n];
        for (int i = 0; i < n; i++) {
            int idx = indices[i];
            if (idx < 0 || idx >= codebookSize) throw new IllegalArgumentException("FSQ index " + idx + " at " + i + " outside 0.." + (codebookSize - 1));
            for (int d = 0; d < levels.length; d++) {
                int digit = idx / basis[d] % levels[d];
                out[d * n + i] = (float) (digit - halfWidth[d]) / halfWidth[d];
            }
        }
        return out;
    }

    private int positions(int length) {
        if (length % levels.length != 0) throw new IllegalArgumentException(length + " values are not " + levels.length + " channels");
        return length / levels.length;
    }

    private static double atanh(double v) {
        return 0.5 * Math.log((1 + v) / (1 - v));
    }
}
