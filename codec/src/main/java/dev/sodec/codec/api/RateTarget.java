package dev.sodec.codec.api;

/**
 * The rate a {@link QualityCodec} compresses at: a quality level, or a budget (bits per pixel or bytes) for which it
 * picks the highest level whose file fits.
 */
public sealed interface RateTarget {
    /** Quality level {@code number}: 1 is the lowest rate ({@link dev.sodec.codec.models.QualityLadder}). */
    record Level(int number) implements RateTarget {
        public Level {
            if (number < 1) throw new IllegalArgumentException("quality levels start at 1, got " + number);
        }
    }

    /** At most {@code bpp} bits per pixel of the input image, counting the whole file. */
    record MaxBitsPerPixel(double bpp) implements RateTarget {
        public MaxBitsPerPixel {
            if (!(bpp > 0) || Double.isInfinite(bpp)) throw new IllegalArgumentException("a target bpp must be a positive number, got " + bpp);
        }
    }

    /** At most {@code bytes} bytes for the whole file. */
    record MaxBytes(long bytes) implements RateTarget {
        public MaxBytes {
            if (bytes < 1) throw new IllegalArgumentException("a target size must be at least 1 byte, got " + bytes);
        }
    }

    static RateTarget level(int number) {
        return new Level(number);
    }

    static RateTarget maxBitsPerPixel(double bpp) {
        return new MaxBitsPerPixel(bpp);
    }

    static RateTarget maxBytes(long bytes) {
        return new MaxBytes(bytes);
    }
}
