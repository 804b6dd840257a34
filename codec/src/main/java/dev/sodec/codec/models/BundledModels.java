package dev.sodec.codec.models;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.io.FileDigests;
import dev.sodec.codec.io.IoMessages;
import dev.sodec.codec.io.OutputFiles;
import dev.sodec.engine.json.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trained models shipped inside the codec jar (resources under {@code /dev/sodec/models/}, listed in
 * {@code index.json}). The engine opens models by path (mmap), so a bundled model is copied once into a cache
 * folder ({@code $SODEC_CACHE}, else {@code ~/.cache/sodec}) under a name that includes its content hash, and reused
 * from there. {@code index.json} gives each model's SHA-256 ({@code BundledModelsIndexTest} holds it to the
 * resource's), so a model is found by id without unpacking or hashing the models in the jar; the cached copy a call
 * uses is checked by its CRC32C, also in the index, and then known to have the index's SHA-256 ({@link FileDigests}).
 */
public final class BundledModels {
    private static final String ROOT = "/dev/sodec/models/";

    /**
     * One shipped model: its short name (for {@code --model NAME}), resource file, a line about it, and its nominal
     * rate ({@link QualityLadder}: bits per pixel on the reference photo; NaN when the index gives none), and the
     * SHA-256 and CRC32C of its file in lower-case hex (null when the index gives none: the SHA-256 is then
     * computed from the resource, and the cached copy is checked by its SHA-256).
     */
    public record Model(String name, String file, String description, double bpp, String sha256, String crc32c) {
        public Model(String name, String file, String description, double bpp) {
            this(name, file, description, bpp, null, null);
        }
    }

    private BundledModels() {}

    private static Config index() {
        try (InputStream in = BundledModels.class.getResourceAsStream(ROOT + "index.json")) {
            if (in == null) return null;
            return Config.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled models index.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped models, default first; empty when the jar was built without them. */
    public static List<Model> list() {
        List<Model> out = ladder();
        Config idx = index();
        if (idx == null) return out;
        String dflt = idx.getString("default");
        out.sort((a, b) -> Boolean.compare(!a.name().equals(dflt), !b.name().equals(dflt)));
        return out;
    }

    /**
     * The shipped models in {@code index.json} order, which lists them by rate, lowest first: the quality ladder
     * ({@code low}, {@code medium}, ...); {@link QualityLadder} adds the user's models to it.
     */
    @SuppressWarnings("unchecked")
    public static List<Model> ladder() {
        Config idx = index();
        List<Model> out = new ArrayList<>();
        if (idx == null) return out;
        for (Object o : idx.getList("models")) {
            Config m = new Config((Map<String, Object>) o, "bundled models index.json");
            out.add(new Model(m.getString("name"), m.getString("file"), m.getString("description", ""),
                    m.getDouble("bpp", Double.NaN), m.getString("sha256", null), m.getString("crc32c", null)));
        }
        return out;
    }

    /** The default model's file, extracted to the cache; empty when none is shipped. */
    public static Optional<Path> defaultModel() throws IOException {
        List<Model> l = list();
        return l.isEmpty() ? Optional.empty() : Optional.of(extract(l.get(0)));
    }

    /** The shipped model called {@code name}, extracted; empty when there is none of that name. */
    public static Optional<Path> byName(String name) throws IOException {
        for (Model m : list()) if (m.name().equals(name)) return Optional.of(extract(m));
        return Optional.empty();
    }

    /** The shipped model whose id (see {@link CompressionModel#idOf}) is {@code id}, extracted; empty when none matches. */
    public static Optional<Path> byId(byte[] id) throws IOException {
        Optional<String> name = nameOf(id);
        return name.isEmpty() ? Optional.empty() : byName(name.get());
    }

    /**
     * The shipped model's short name for a model id (the first 8 bytes of the SHA-256 of its file, as {@link
     * CompressionModel#idOf} computes it), for messages; empty when no shipped model has that id.
     */
    public static Optional<String> nameOf(byte[] id) {
        for (Model m : list()) {
            try {
                if (Arrays.equals(Arrays.copyOf(sha256(m), CompressionModel.ID_BYTES), id)) return Optional.of(m.name());
            } catch (IOException e) {
                // a model missing from the jar has no name to give
            }
        }
        return Optional.empty();
    }

    /** The model's SHA-256: from the index, else (an index without hashes) from the resource, once. */
    static byte[] sha256(Model m) throws IOException {
        if (m.sha256() != null) return HexFormat.of().parseHex(m.sha256());
        byte[] d = resourceHashes.get(m.file());
        if (d == null) {
            d = FileDigests.sha256(resourceBytes(m));
            resourceHashes.put(m.file(), d);
        }
        return d;
    }

    private static final Map<String, byte[]> resourceHashes = new ConcurrentHashMap<>();

    private static byte[] resourceBytes(Model m) throws IOException {
        try (InputStream in = BundledModels.class.getResourceAsStream(ROOT + m.file())) {
            if (in == null) throw new IOException("bundled model " + m.name() + " is listed but its file " + m.file() + " is missing from the jar");
            return in.readAllBytes();
        }
    }

    /**
     * Copies the resource into the cache unless an identical copy is already there. A cache that cannot be written
     * fails with a message naming the folder, the reason and {@code SODEC_CACHE}.
     */
    public static Path extract(Model m) throws IOException {
        return extractTo(m, cacheDir());
    }

    /**
     * The cached copy is used when its CRC32C (or, for an index without one, its SHA-256) is the model's; a damaged
     * or foreign file there is replaced: the resource is unpacked, checked against the model's SHA-256 (a damaged jar
     * fails with a message saying so) and written.
     */
    static Path extractTo(Model m, Path dir) throws IOException {
        byte[] expected = sha256(m);
        String hash = HexFormat.of().formatHex(expected, 0, 6);
        Path target = dir.resolve(m.file().replace(".safetensors", "") + "-" + hash + ".safetensors");
        if (Files.isRegularFile(target) && (m.crc32c() != null
                ? FileDigests.matchesCrc32c(target, Integer.parseUnsignedInt(m.crc32c(), 16), expected)
                : Arrays.equals(FileDigests.sha256(target), expected))) {
            return target;
        }
        byte[] bytes = resourceBytes(m);
        if (!Arrays.equals(FileDigests.sha256(bytes), expected)) {
            throw new IOException("the shipped model '" + m.name() + "' (" + m.file() + ") in the jar does not match"
                    + " its SHA-256 in index.json: the jar is damaged or was built from changed models");
        }
        try {
            Files.createDirectories(dir);
            OutputFiles.write(bytes, target);
            // registers the SHA-256 just checked for the new file, so loading it does not hash it again
            if (m.crc32c() != null) FileDigests.matchesCrc32c(target, Integer.parseUnsignedInt(m.crc32c(), 16), expected);
        } catch (IOException e) {
            throw new IOException("cannot store the shipped model '" + m.name() + "' in the model cache " + dir + " ("
                    + (e.getCause() != null ? IoMessages.reason(e.getCause()) : IoMessages.reason(e))
                    + "): set SODEC_CACHE to a writable folder", e);
        }
        return target;
    }

    static Path cacheDir() {
        String env = System.getenv("SODEC_CACHE");
        if (env != null && !env.isEmpty()) return Path.of(env).resolve("models");
        return Path.of(System.getProperty("user.home"), ".cache", "sodec", "models");
    }

    /** For messages: the names of the shipped models, lowest rate first. */
    public static String names() {
        List<String> n = new ArrayList<>();
        for (Model m : ladder()) n.add(m.name());
        return n.isEmpty() ? "(none shipped)" : String.join(", ", n);
    }
}
