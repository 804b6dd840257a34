package dev.sodec.codec.compression;

import java.util.ArrayList;
import java.util.List;

/**
 * How the analysis (g_a) and synthesis (g_s) transforms of a hyperprior model are split into windows so that their
 * activations take memory for one window instead of the whole image. Each window computes an output tile of
 * at most {@code tile} x {@code tile} coded pixels plus {@link #HALO} pixels of context on every side that lies inside the
 * image; only the tile's part of the result is kept.
 *
 * <p>The halo covers the transforms' receptive fields: a latent of g_a depends on pixels within 30 of its centre
 * (four 5x5 stride-2 convolutions: 2 + 4 + 8 + 16), a pixel of g_s on latents within 2 positions (four 5x5
 * stride-2 transposed convolutions: 1 + 1/2 + 1/4 + 1/8, rounded up), i.e. 32 pixels. With 64 pixels every value kept
 * is the value the whole-image transform computes, so tiling leaves no seams: the result differs from an untiled run
 * only by the order of floating-point sums, and the entropy-coded streams are the same kind either way (a file
 * decodes with any tile size). Windows near the image edge are shifted inwards rather than cut, so every window of
 * an image has the same size and the backend compiles one graph for them all.
 *
 * @param tile output tile side in coded pixels, a positive multiple of 64
 */
public record Tiling(int tile) {
    /** Context pixels on each side of a tile: 4 latent positions of y. */
    public static final int HALO = 64;
    /** Tiles are whole z positions. */
    public static final int MULTIPLE = 64;

    public Tiling {
        if (tile < MULTIPLE || tile % MULTIPLE != 0) {
            throw new IllegalArgumentException("tile size " + tile + " is not a positive multiple of " + MULTIPLE);
        }
    }

    /**
     * The tile side used along a side of {@code length}: the side is cut into as many tiles as {@link #tile} needs,
     * made as even as whole z positions allow (a side just above one window is two half tiles, not a full tile and a
     * sliver whose window would repeat most of the first one's work).
     */
    public int step(int length) {
        int n = Math.ceilDiv(length, tile);
        return Math.ceilDiv(Math.ceilDiv(length, n), MULTIPLE) * MULTIPLE;
    }

    /** Window side for an image side of {@code length}: the whole side when it fits in one window. */
    public int window(int length) {
        return length <= tile + 2 * HALO ? length : Math.min(length, step(length) + 2 * HALO);
    }

    /** Whether an image of these coded sides is one window (then tiling changes nothing). */
    public boolean isSingleWindow(int height, int width) {
        return window(height) == height && window(width) == width;
    }

    /**
     * One tile along an axis: the output range [outStart, outEnd) and the window [windowStart, windowStart + window)
     * it is computed in, in coded pixels.
     */
    public record Span(int outStart, int outEnd, int windowStart, int window) {}

    /** The spans covering [0, length); {@code length} a multiple of 16. */
    public List<Span> spans(int length) {
        int win = window(length);
        List<Span> out = new ArrayList<>();
        if (win == length) {
            out.add(new Span(0, length, 0, length));
            return out;
        }
        int step = step(length);
        for (int s = 0; s < length; s += step) {
            int start = Math.clamp(s - HALO, 0, length - win);
            out.add(new Span(s, Math.min(s + step, length), start, win));
        }
        return out;
    }
}
