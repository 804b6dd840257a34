package dev.sodec.codec.models;

import dev.sodec.codec.io.OutputFiles;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a user added to the model folder ({@link ModelFinder#modelDir()}) with {@code sodec models add}: its
 * {@code index.json} lists them in the shipped index's layout ({@code {"models": [{"name", "file", "description",
 * "bpp"}]}}, files relative to the folder), so {@code --model NAME} and the quality ladder see them.
 */
public final class UserModels {
    /** The index file's name inside the model folder. */
    public static final String INDEX = "index.json";

    /** One added model: its name, file (inside the folder), a line about it and its nominal rate. */
    public record Entry(String name, String file, String description, double bpp) {}

    private final Path dir;
    private final List<Entry> entries;

    private UserModels(Path dir, List<Entry> entries) {
        this.dir = dir;
        this.entries = List.copyOf(entries);
    }

    /** The models listed in {@code dir/index.json}; none when the folder or its index does not exist. */
    @SuppressWarnings("unchecked")
    public static UserModels read(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        List<Entry> out = new ArrayList<>();
        String text;
        try {
            text = Files.readString(index, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new UserModels(dir, out);
        }
        try {
            Config idx = Config.parse(text, index.toString());
            for (Object o : idx.getList("models")) {
                if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("an entry of \"models\" is not an object");
                Config c = new Config((Map<String, Object>) m, index.toString());
                out.add(new Entry(c.getString("name"), c.getString("file"), c.getString("description", ""),
                        c.getDouble("bpp", Double.NaN)));
            }
        } catch (RuntimeException e) {
            throw new IOException("the model index " + index + " is not valid (" + e.getMessage() + "): fix or delete it", e);
        }
        return new UserModels(dir, out);
    }

    /** No added models (in {@code dir}). */
    public static UserModels none(Path dir) {
        return new UserModels(dir, List.of());
    }

    /** The model folder's path. */
    public Path dir() {
        return dir;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The file of the entry called {@code name}. */
    public java.util.Optional<Path> fileOf(String name) {
        for (Entry e : entries) if (e.name().equals(name)) return java.util.Optional.of(dir.resolve(e.file()));
        return java.util.Optional.empty();
    }

    /** This index with {@code e} added, or replacing the entry of the same name; written atomically. */
    public UserModels with(Entry e) throws IOException {
        List<Entry> next = new ArrayList<>();
        for (Entry old : entries) if (!old.name().equals(e.name())) next.add(old);
        next.add(e);
        List<Object> models = new ArrayList<>();
        for (Entry x : next) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", x.name());
            m.put("file", x.file());
            m.put("description", x.description());
            if (!Double.isNaN(x.bpp())) m.put("bpp", x.bpp());
            models.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("models", models);
        Files.createDirectories(dir);
        OutputFiles.write((Json.write(root) + "\n").getBytes(StandardCharsets.UTF_8), dir.resolve(INDEX));
        return new UserModels(dir, next);
    }
}
