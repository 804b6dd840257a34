package dev.sodec.codec.cli;

import dev.sodec.codec.compression.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the model file for a command: {@code --model}, else {@code $SODEC_MODEL}, else (when decoding, where the
 * container names its model by id) the {@code *.safetensors} file in {@code $SODEC_MODEL_DIR} or {@code ./models}
 * whose id matches.
 */
final class ModelLocator {
    private ModelLocator() {}

    static Path resolve(String option, byte[] wantedId) throws IOException, UsageException {
        if (option != null) return existing(option);
        String env = System.getenv("SODEC_MODEL");
        if (env != null && !env.isEmpty()) return existing(env);
        if (wantedId == null) throw new UsageException("no model given: use --model FILE or set SODEC_MODEL");
        String dirEnv = System.getenv("SODEC_MODEL_DIR");
        Path dir = Path.of(dirEnv != null && !dirEnv.isEmpty() ? dirEnv : "models");
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            }
            for (Path p : files) {
                if (Arrays.equals(CompressionModel.idOf(p), wantedId)) return p;
            }
        }
        throw new UsageException("no model given and none with id " + HexFormat.of().formatHex(wantedId) + " in " + dir
                + ": use --model FILE");
    }

    private static Path existing(String s) throws UsageException {
        Path p = Path.of(s);
        if (!Files.isRegularFile(p)) throw new UsageException("model file " + s + " does not exist");
        return p;
    }
}
