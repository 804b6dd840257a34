package dev.sodec.codec.api;

import dev.sodec.codec.compression.Tiling;
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
 * @param tile the side in pixels of the tiles the hyperprior transforms (g_a, g_s) run on, a multiple of 64, or 0
 *     to run them on the whole image at once; memory for activations grows with the tile, not the image. Tiles
 *     overlap by {@link Tiling#HALO} pixels of context, so the result does not depend on
 *     the tile size beyond float rounding and a file decodes with any tile size. Images that fit in one tile (with its
 *     context) run whole.
 */
public record CodecOptions(String backend, int threads, long maxPixels, int background, int tile) {
    /** 8192 x 8192. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;
    /**
     * 1024-pixel tiles: g_s needs about 0.5 GiB of activations per 1152 x 1152 window with the shipped models, and
     * the 64-pixel context on each side costs 27% more network work than an untiled run.
     */
    public static final int DEFAULT_TILE = 1024;

    public CodecOptions {
        if (backend == null) throw new IllegalArgumentException("backend must not be null");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        if (maxPixels < 1) throw new IllegalArgumentException("maxPixels must be >= 1");
        if ((background & ~0xFFFFFF) != 0) throw new IllegalArgumentException("background must be 0xRRGGBB, got " + Integer.toHexString(background));
        if (tile != 0) new Tiling(tile); // a multiple of 64, or say which rule it breaks
    }

    /** Options with the default tile size. */
    public CodecOptions(String backend, int threads, long maxPixels, int background) {
        this(backend, threads, maxPixels, background, DEFAULT_TILE);
    }

    /** Options over a white background. */
    public CodecOptions(String backend, int threads, long maxPixels) {
        this(backend, threads, maxPixels, RgbImages.WHITE);
    }

    public static CodecOptions defaults() {
        return new CodecOptions(Backends.DEFAULT, 0, DEFAULT_MAX_PIXELS, RgbImages.WHITE, DEFAULT_TILE);
    }

    /** The tiling of the transforms, or null for whole-image runs. */
    public Tiling tiling() {
        return tile == 0 ? null : new Tiling(tile);
    }

    public CodecOptions withBackend(String b) {
        return new CodecOptions(b, threads, maxPixels, background, tile);
    }

    public CodecOptions withThreads(int t) {
        return new CodecOptions(backend, t, maxPixels, background, tile);
    }

    public CodecOptions withMaxPixels(long p) {
        return new CodecOptions(backend, threads, p, background, tile);
    }

    public CodecOptions withBackground(int rgb) {
        return new CodecOptions(backend, threads, maxPixels, rgb, tile);
    }

    /** @param t tile side in pixels, a multiple of 64, or 0 for whole-image runs */
    public CodecOptions withTile(int t) {
        return new CodecOptions(backend, threads, maxPixels, background, t);
    }
}
