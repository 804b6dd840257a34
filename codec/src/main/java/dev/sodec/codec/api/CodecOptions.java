package dev.sodec.codec.api;

import dev.sodec.engine.backend.Backends;

/**
 * How a {@link SodecCodec} runs.
 *
 * @param backend backend name ({@code cpu})
 * @param threads threads per operation; 0 for all cores. Streams do not depend on it.
 * @param maxPixels the largest image (width x height) compressed or decoded; a container claiming more is
 *     refused before anything is allocated
 */
public record CodecOptions(String backend, int threads, long maxPixels) {
    /** 8192 x 8192. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    public CodecOptions {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        if (maxPixels < 1) throw new IllegalArgumentException("maxPixels must be >= 1");
    }

    public static CodecOptions defaults() {
        return new CodecOptions(Backends.DEFAULT, 0, DEFAULT_MAX_PIXELS);
    }

    public CodecOptions withThreads(int t) {
        return new CodecOptions(backend, t, maxPixels);
    }

    public CodecOptions withMaxPixels(long p) {
        return new CodecOptions(backend, threads, p);
    }
}
