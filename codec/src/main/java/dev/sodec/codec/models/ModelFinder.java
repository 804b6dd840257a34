package dev.sodec.codec.models;

import dev.sodec.codec.compression.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds model files: by what a user typed (a file, or a shipped model's name) and by the id a compressed file names
 * (a {@code *.safetensors} file in the model folder, {@code $SODEC_MODEL_DIR} or else {@code ./models}, whose id
 * matches; else the shipped model with that id). Used by the CLI and the ImageIO reader alike.
 */
public final class ModelFinder {
    private ModelFinder() {}

    /**
     * The Java system property {@code sodec.model.dir} (for applications that embed the codec), else
     * {@code $SODEC_MODEL_DIR}, else {@code ./models}.
     */
    public static Path modelDir() {
        String prop = System.getProperty("sodec.model.dir");
        if (prop != null && !prop.isEmpty()) return Path.of(prop);
        String env = System.getenv("SODEC_MODEL_DIR");
        return Path.of(env != null && !env.isEmpty() ? env : "models");
    }

    /**
     * An existing file of that path, else the shipped model of that name, else the model of that name added to
     * {@link #modelDir()} ({@code sodec models add}); empty when none exists.
     */
    public static Optional<Path> byNameOrFile(String s) throws IOException {
        Path p = Path.of(s);
        if (Files.isRegularFile(p)) return Optional.of(p);
        Optional<Path> shipped = BundledModels.byName(s);
        if (shipped.isPresent()) return shipped;
        return UserModels.read(modelDir()).fileOf(s).filter(Files::isRegularFile);
    }

    /** The model whose id is {@code id}: in {@link #modelDir()} first, then among the shipped models. */
    public static Optional<Path> byId(byte[] id) throws IOException {
        Path dir = modelDir();
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            }
            for (Path p : files) {
                if (Files.isRegularFile(p) && Arrays.equals(CompressionModel.idOf(p), id)) return Optional.of(p);
            }
        }
        return BundledModels.byId(id);
    }

    /** A model for messages: {@code 'low' (shipped, id ...)} when the id is a shipped model's, else {@code id ...}. */
    public static String describe(byte[] id) {
        String hex = HexFormat.of().formatHex(id);
        return BundledModels.nameOf(id).map(n -> "'" + n + "' (shipped, id " + hex + ")").orElse("id " + hex);
    }
}
