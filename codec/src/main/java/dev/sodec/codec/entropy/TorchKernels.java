package dev.sodec.codec.entropy;

/**
 * The float32 element-wise kernels of torch 1.13 on the CPU (Debian 12's build, AVX2 dispatch) that CompressAI's
 * EntropyBottleneck uses, with the exact split between their two code paths.
 *
 * <p>{@code softplus} and {@code sigmoid} are {@code cpu_kernel_vec} kernels: over a contiguous range they run
 * blocks of {@link #BLOCK} elements through the vectorized lambda (SLEEF exp / log1p: {@link SleefFloat}) and the
 * last {@code n % 16} elements through the scalar lambda (glibc {@code expf} / {@code log1pf}: {@link GlibcFloat});
 * a strided (non-contiguous) input takes the scalar lambda for every element. The two paths can differ by an ulp, so
 * which elements are "tail" matters. A tensor of at least {@link #GRAIN} elements is split by
 * {@code at::parallel_for} into one chunk per intra-op thread, each with its own tail: the result then depends on
 * the thread count, passed here as {@code threads}. {@code tanh} is a VML kernel ({@code vec::map}): vectorized to
 * the last element (a partial vector is loaded), so always SLEEF and independent of layout and threads.
 */
final class TorchKernels {
    private TorchKernels() {}

    /** Elements per iteration of cpu_kernel_vec's vectorized loop: 2 x Vectorized&lt;float&gt;::size() on AVX2. */
    static final int BLOCK = 16;
    /** at::internal::GRAIN_SIZE: below it an element-wise kernel runs on one thread whatever the thread count. */
    static final int GRAIN = 32768;

    /**
     * The chunks {@code at::parallel_for(0, n, GRAIN, ...)} hands to {@code threads} OpenMP threads: boundaries
     * {@code [b0 = 0, b1, ..., n]}.
     */
    static int[] chunks(int n, int threads) {
        if (n < GRAIN || threads <= 1) return new int[] {0, n};
        int tasks = (int) Math.min(threads, ((long) n + GRAIN - 1) / GRAIN);
        int size = (int) (((long) n + tasks - 1) / tasks);
        int count = (n + size - 1) / size;
        int[] b = new int[count + 1];
        for (int t = 0; t < count; t++) b[t] = t * size;
        b[count] = n;
        return b;
    }

    /** True where element i of a contiguous n-element tensor takes the scalar path with {@code threads} threads. */
    static boolean scalarPath(int[] chunks, int i) {
        int c = chunk(chunks, i);
        int begin = chunks[c], end = chunks[c + 1];
        return i >= begin + (end - begin) / BLOCK * BLOCK;
    }

    /** F.softplus(a) (beta 1, threshold 20) of a contiguous tensor, in place. */
    static void softplus(float[] a, int threads) {
        int[] chunks = chunks(a.length, threads);
        for (int i = 0; i < a.length; i++) {
            float x = a[i];
            if (x > 20f) continue;
            a[i] = scalarPath(chunks, i) ? GlibcFloat.log1pf(GlibcFloat.expf(x)) : SleefFloat.log1pf(SleefFloat.expf(x));
        }
    }

    /** The scalar lambda: {@code 1 / (1 + std::exp(-a))}. */
    static float sigmoidScalar(float a) {
        return 1f / (1f + GlibcFloat.expf(-a));
    }

    /** One lane of the vectorized lambda: {@code (exp(0 - a) + 1).reciprocal()}. */
    static float sigmoidVector(float a) {
        return 1f / (SleefFloat.expf(0f - a) + 1f);
    }

    /** torch.tanh (VML): SLEEF for every element. */
    static float tanh(float a) {
        return SleefFloat.tanhf(a);
    }

    private static int chunk(int[] chunks, int i) {
        int lo = 0, hi = chunks.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (chunks[mid] <= i) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
