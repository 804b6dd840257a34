package dev.sodec.codec.api;

import dev.sodec.codec.image.RgbImages;
import dev.sodec.engine.backend.Backends;

/**
 * How a {@link SodecCodec} runs.
 *
 * @param backend backend name ({@code cpu})
 * @param threads threads per operation; 0 for all cores. Streams do not depend on it.
 * @param maxPixels the largest image (width x height) compressed or decoded; a container claiming more is
 *     refused before anything is allocated
 * @param background the 0xRRGGBB colour transparent pixels are composited over before coding (default white)
 */
public record CodecOptions(String backend, int threads, long maxPixels, int background) {
    /** 8192 x 8192. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    public CodecOptions {
        if (backend == null) throw new IllegalArgumentException("backend must not be null");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        if (maxPixels < 1) throw new IllegalArgumentException("maxPixels must be >= 1");
        if ((background & ~0xFFFFFF) != 0) throw new IllegalArgumentException("background must be 0xRRGGBB, got " + Integer.toHexString(background));
    }

    /** Options over a white background. */
    public CodecOptions(String backend, int threads, long maxPixels) {
        this(backend, threads, maxPixels, RgbImages.WHITE);
    }

    public static CodecOptions defaults() {
        return new CodecOptions(Backends.DEFAULT, 0, DEFAULT_MAX_PIXELS, RgbImages.WHITE);
    }

    public CodecOptions withBackend(String b) {
        return new CodecOptions(b, threads, maxPixels, background);
    }

    public CodecOptions withThreads(int t) {
        return new CodecOptions(backend, t, maxPixels, background);
    }

    public CodecOptions withMaxPixels(long p) {
        return new CodecOptions(backend, threads, p, background);
    }

    public CodecOptions withBackground(int rgb) {
        return new CodecOptions(backend, threads, maxPixels, rgb);
    }
}
