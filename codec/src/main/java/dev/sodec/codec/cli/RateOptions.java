package dev.sodec.codec.cli;

import dev.sodec.codec.api.RateTarget;
import dev.sodec.codec.models.QualityLadder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --quality N}, {@code --target-bpp X} and {@code --target-size BYTES}: a place on the quality ladder, given
 * at most one way and never with {@code --model} (which names one model outright).
 */
final class RateOptions {
    private RateOptions() {}

    static final Option QUALITY = Option.valued("--quality", "N", "quality level 1..N, 1 the lowest rate (sodec models"
            + " list shows the levels); not with --model");
    static final Option TARGET_BPP = Option.valued("--target-bpp", "X", "the highest level whose file is at most X bits"
            + " per pixel (found by encoding); fails when even level 1 is larger");
    static final Option TARGET_SIZE = Option.valued("--target-size", "BYTES", "the highest level whose file is at most"
            + " BYTES bytes (found by encoding); fails when even level 1 is larger");

    /** The target the options ask for; empty when none is given (then {@code --model} or the default applies). */
    static Optional<RateTarget> parse(Args a) throws UsageException {
        List<String> given = new ArrayList<>();
        for (Option o : List.of(CommonOptions.MODEL, QUALITY, TARGET_BPP, TARGET_SIZE)) {
            if (a.get(o.name(), null) != null) given.add(o.name());
        }
        if (given.size() > 1) {
            throw new UsageException(String.join(" and ", given) + " exclude each other: give one (--model names a model,"
                    + " the others choose a quality level)");
        }
        String q = a.get(QUALITY.name(), null), bpp = a.get(TARGET_BPP.name(), null), size = a.get(TARGET_SIZE.name(), null);
        if (q != null) {
            int n;
            try {
                n = Integer.parseInt(q);
            } catch (NumberFormatException e) {
                throw new UsageException("--quality expects a level number 1, 2, ..., got '" + q + "'");
            }
            if (n < 1) throw new UsageException("--quality levels start at 1, got " + n);
            return Optional.of(RateTarget.level(n));
        }
        if (bpp != null) {
            double v;
            try {
                v = Double.parseDouble(bpp);
            } catch (NumberFormatException e) {
                throw new UsageException("--target-bpp expects a number of bits per pixel, got '" + bpp + "'");
            }
            if (!(v > 0) || Double.isInfinite(v)) throw new UsageException("--target-bpp must be a positive number, got " + bpp);
            return Optional.of(RateTarget.maxBitsPerPixel(v));
        }
        if (size != null) {
            long v;
            try {
                v = Long.parseLong(size);
            } catch (NumberFormatException e) {
                throw new UsageException("--target-size expects a whole number of bytes, got '" + size + "'");
            }
            if (v < 1) throw new UsageException("--target-size must be at least 1 byte, got " + v);
            return Optional.of(RateTarget.maxBytes(v));
        }
        return Optional.empty();
    }

    /** A level number the ladder lacks is a usage error, found before any image is read. */
    static void checkLevel(RateTarget t, QualityLadder ladder) throws UsageException {
        if (ladder.size() == 0) throw new UsageException("there are no quality levels: this build ships no model and none was added");
        if (t instanceof RateTarget.Level l) {
            try {
                ladder.level(l.number());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }
}
