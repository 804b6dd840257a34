package dev.sodec.engine.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and backends. */
public final class Shapes {
    private Shapes() {}

    public static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    public static long[] contiguousStrides(int[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    public static void requireRank(String op, int[] shape, int rank) {
        if (shape.length != rank) {
            throw new IllegalArgumentException(op + " expects rank " + rank + ", got " + Arrays.toString(shape));
        }
    }

    /** The concatenation dimension {@code dim} (negative counts from the end) resolved against the inputs' rank. */
    public static int concatDim(int dim, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat of no tensors");
        int rank = xs[0].rank();
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw new IllegalArgumentException("concat: dim " + dim + " out of range for rank " + rank);
        return d;
    }

    /** The shape of concatenating {@code xs} along resolved dimension {@code d}; every other dimension must agree. */
    public static int[] concatShape(int d, Tensor... xs) {
        int rank = xs[0].rank();
        int[] os = xs[0].shape();
        long total = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            boolean fits = s.length == rank;
            for (int i = 0; fits && i < rank; i++) fits = i == d || s[i] == os[i];
            if (!fits) throw new IllegalArgumentException("concat along " + d + ": " + Arrays.toString(s) + " does not fit " + Arrays.toString(os));
            total += s[d];
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("concat: dimension too large");
        os[d] = (int) total;
        return os;
    }

    /** Largest output side a resampling op accepts, so a hostile size fails before allocating. */
    public static final int MAX_RESAMPLE_SIDE = 1 << 16;

    /** The output size of a resampling op (nearest, bilinear), the same bound on every backend. */
    public static void requireResampleSize(String op, int outH, int outW) {
        if (outH < 1 || outW < 1 || outH > MAX_RESAMPLE_SIDE || outW > MAX_RESAMPLE_SIDE) {
            throw new IllegalArgumentException(op + ": output size " + outH + "x" + outW + " out of range [1, "
                    + MAX_RESAMPLE_SIDE + "]");
        }
    }
}
