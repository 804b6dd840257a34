package dev.sodec.codec.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The quality levels: the shipped models and the user's added ones ({@link UserModels}), ordered by their nominal
 * rate, lowest first, and numbered from 1. The nominal rate is the model's bits per pixel on the reference photo
 * ({@link ReferencePhoto}), recorded in the index when the model was shipped or added, so models of any family fall
 * into one order. A model whose index gives no rate goes after those that have one.
 */
public final class QualityLadder {
    /**
     * One level.
     *
     * @param number 1 for the lowest rate
     * @param name the model's name ({@code --model NAME})
     * @param description a line about it
     * @param bpp nominal bits per pixel on the reference photo (NaN when unknown)
     * @param userFile the model file for an added model; null for a shipped one (extracted on demand)
     */
    public record Level(int number, String name, String description, double bpp, Path userFile) {
        public boolean shipped() {
            return userFile == null;
        }

        /** The model file (a shipped model is extracted to the cache first). */
        public Path file() throws IOException {
            if (userFile != null) return userFile;
            return BundledModels.byName(name).orElseThrow(() -> new IOException("shipped model " + name + " is missing"));
        }

        /** {@code 3 (high)}, for messages. */
        public String label() {
            return number + " (" + name + ")";
        }
    }

    private final List<Level> levels;

    private QualityLadder(List<Level> levels) {
        this.levels = List.copyOf(levels);
    }

    /** The shipped models and those added to {@link ModelFinder#modelDir()}. */
    public static QualityLadder installed() throws IOException {
        return of(BundledModels.ladder(), UserModels.read(ModelFinder.modelDir()));
    }

    /**
     * The ladder of {@code shipped} and {@code user} models by nominal rate (ties keep shipped first, then index
     * order). A user model named like a shipped one is left out: the shipped name wins everywhere.
     */
    public static QualityLadder of(List<BundledModels.Model> shipped, UserModels user) {
        record Candidate(String name, String description, double bpp, Path file, int order) {}
        List<Candidate> all = new ArrayList<>();
        for (BundledModels.Model m : shipped) all.add(new Candidate(m.name(), m.description(), m.bpp(), null, all.size()));
        for (UserModels.Entry e : user.entries()) {
            boolean taken = all.stream().anyMatch(c -> c.name().equals(e.name()));
            if (!taken) all.add(new Candidate(e.name(), e.description(), e.bpp(), user.dir().resolve(e.file()), all.size()));
        }
        all.sort(Comparator.comparingDouble((Candidate c) -> Double.isNaN(c.bpp()) ? Double.POSITIVE_INFINITY : c.bpp())
                .thenComparingInt(Candidate::order));
        List<Level> levels = new ArrayList<>();
        for (Candidate c : all) levels.add(new Level(levels.size() + 1, c.name(), c.description(), c.bpp(), c.file()));
        return new QualityLadder(levels);
    }

    /** Lowest rate first. */
    public List<Level> levels() {
        return levels;
    }

    public int size() {
        return levels.size();
    }

    /**
     * The 0-based step of a ladder of {@code steps} nearest a quality in [0, 1] (0 the lowest rate, 1 the highest):
     * how ImageIO's compression quality, and the service's {@code quality} parameter, pick a level.
     */
    public static int nearestStep(float quality, int steps) {
        return Math.clamp(Math.round(quality * (steps - 1)), 0, steps - 1);
    }

    /**
     * Level {@code n} (1-based).
     *
     * @throws IllegalArgumentException naming the levels there are, when there is no level {@code n}
     */
    public Level level(int n) {
        if (levels.isEmpty()) throw new IllegalArgumentException("there are no quality levels: this build ships no model and none was added");
        if (n < 1 || n > levels.size()) {
            throw new IllegalArgumentException("no quality level " + n + ": the levels are 1.." + levels.size()
                    + " (" + names() + "; sodec models list)");
        }
        return levels.get(n - 1);
    }

    public Optional<Level> byName(String name) {
        return levels.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** {@code 1 low, 2 medium, ...} */
    public String names() {
        List<String> s = new ArrayList<>();
        for (Level l : levels) s.add(l.number() + " " + l.name());
        return String.join(", ", s);
    }

    /** One line per level: number, name, nominal rate, origin and description. */
    public String table() {
        StringBuilder s = new StringBuilder();
        int w = 4;
        for (Level l : levels) w = Math.max(w, l.name().length());
        s.append(String.format(Locale.ROOT, "%-5s  %-" + w + "s  %-9s  %-7s  %s%n", "level", "name", "bpp (ref)", "origin", "description"));
        for (Level l : levels) {
            s.append(String.format(Locale.ROOT, "%-5d  %-" + w + "s  %-9s  %-7s  %s%n", l.number(), l.name(),
                    Double.isNaN(l.bpp()) ? "?" : String.format(Locale.ROOT, "%.4f", l.bpp()),
                    l.shipped() ? "shipped" : "added", l.description()));
        }
        return s.toString();
    }
}
