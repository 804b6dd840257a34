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
