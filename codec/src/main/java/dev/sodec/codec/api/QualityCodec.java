package dev.sodec.codec.api;

import dev.sodec.codec.image.ImageMetadata;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.models.QualityLadder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Compresses at a quality level or within a budget, over the quality ladder ({@link QualityLadder}: the shipped
 * models and those added with {@code sodec models add}, lowest rate first). Each level's model is loaded on first use
 * and kept; every method may be called from many threads at once.
 *
 * <pre>{@code
 * try (QualityCodec codec = QualityCodec.open(CodecOptions.defaults())) {
 *     QualityCodec.Compressed c = codec.compress(image, RateTarget.maxBytes(20_000));
 *     BufferedImage back = codec.decompress(c.data());
 * }
 * }</pre>
 *
 * <p>A budget ({@link RateTarget.MaxBitsPerPixel}, {@link RateTarget.MaxBytes}) picks the highest level whose file
 * for this image fits, by encoding: the levels are ordered by rate, so a binary search over them needs about
 * log2(levels) + 1 encodes, and the chosen file is the one returned. When even level 1 is too large the call fails
 * with {@link RateTargetException} (nothing is written at a rate the caller did not accept).
 */
public final class QualityCodec implements AutoCloseable {
    /** A compressed file and the level that made it. */
    public record Compressed(byte[] data, QualityLadder.Level level) {}

    private final QualityLadder ladder;
    private final CodecOptions options;
    private final Map<Path, SodecCodec> loaded = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private QualityCodec(QualityLadder ladder, CodecOptions options) {
        this.ladder = ladder;
        this.options = options;
    }

    /** Over the installed ladder ({@link QualityLadder#installed()}). */
    public static QualityCodec open(CodecOptions options) throws IOException {
        return open(QualityLadder.installed(), options);
    }

    public static QualityCodec open(QualityLadder ladder, CodecOptions options) {
        if (ladder.size() == 0) throw new IllegalArgumentException("there are no quality levels: this build ships no model and none was added");
        return new QualityCodec(ladder, options);
    }

    public QualityLadder ladder() {
        return ladder;
    }

    /**
     * The codec of level {@code n}, loaded on first use.
     *
     * @throws IllegalArgumentException for a level the ladder does not have, naming the levels there are
     */
    public SodecCodec codec(int n) throws IOException {
        return codecFor(ladder.level(n).file());
    }

    private SodecCodec codecFor(Path file) throws IOException {
        ensureOpen();
        Path key = file.toAbsolutePath().normalize();
        SodecCodec c = loaded.get(key);
        if (c != null) return c;
        synchronized (loaded) {
            c = loaded.get(key);
            if (c == null) {
                c = SodecCodec.load(key, options);
                loaded.put(key, c);
            }
            return c;
        }
    }

    /**
     * Compresses {@code image} at {@code target}.
     *
     * @throws IllegalArgumentException for a level the ladder does not have
     * @throws RateTargetException when a budget is smaller than level 1's file
     */
    public Compressed compress(BufferedImage image, RateTarget target) throws IOException {
        return compress(image, ImageMetadata.NONE, target);
    }

    /**
     * Compresses {@code image} at {@code target}, carrying {@code metadata} (ICC profile, EXIF) in the file; a byte or
     * bpp budget counts the whole file, metadata included.
     */
    public Compressed compress(BufferedImage image, ImageMetadata metadata, RateTarget target) throws IOException {
        return switch (target) {
            case RateTarget.Level l -> {
                QualityLadder.Level level = ladder.level(l.number());
                yield new Compressed(codecFor(level.file()).compress(image, metadata), level);
            }
            case RateTarget.MaxBytes b -> within(image, metadata, b.bytes(), b.bytes() + " bytes");
            case RateTarget.MaxBitsPerPixel b -> {
                long pixels = (long) image.getWidth() * image.getHeight();
                yield within(image, metadata, (long) Math.floor(b.bpp() * pixels / 8), String.format(Locale.ROOT, "%s bpp", b.bpp()));
            }
        };
    }

    /** The highest level whose file is at most {@code budget} bytes, by binary search over the levels. */
    private Compressed within(BufferedImage image, ImageMetadata metadata, long budget, String asked) throws IOException {
        Map<Integer, byte[]> tried = new LinkedHashMap<>();
        int lo = 1, hi = ladder.size(); // invariant: every level above hi is too large; lo is the lowest still possible
        int best = 0;
        while (lo <= hi) {
            int mid = (lo + hi + 1) / 2;
            byte[] data = encode(image, metadata, mid, tried);
            if (data.length <= budget) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best == 0) {
            byte[] lowest = encode(image, metadata, 1, tried);
            long pixels = (long) image.getWidth() * image.getHeight();
            throw new RateTargetException(String.format(Locale.ROOT,
                    "no quality level fits %s for this %dx%d image: the lowest, level %s, needs %d bytes (%.4f bpp)",
                    asked, image.getWidth(), image.getHeight(), ladder.level(1).label(), lowest.length,
                    lowest.length * 8.0 / pixels));
        }
        return new Compressed(tried.get(best), ladder.level(best));
    }

    private byte[] encode(BufferedImage image, ImageMetadata metadata, int level, Map<Integer, byte[]> tried) throws IOException {
        byte[] d = tried.get(level);
        if (d == null) {
            d = codec(level).compress(image, metadata);
            tried.put(level, d);
        }
        return d;
    }

    /** Decodes a file made at any level (or with any model {@link ModelFinder#byId} finds). */
    public BufferedImage decompress(byte[] data) throws IOException {
        byte[] id = SodecCodec.info(data).modelId();
        Optional<Path> file = ModelFinder.byId(id);
        if (file.isEmpty()) {
            throw new IOException("the file was made with model id " + HexFormat.of().formatHex(id)
                    + ", which is no quality level nor a model in " + ModelFinder.modelDir());
        }
        return codecFor(file.get()).decompress(data);
    }

    private void ensureOpen() {
        if (closed.get()) throw new IllegalStateException("this QualityCodec is closed");
    }

    /** Closes every loaded level's codec; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        synchronized (loaded) {
            for (SodecCodec c : loaded.values()) c.close();
            loaded.clear();
        }
    }
}
