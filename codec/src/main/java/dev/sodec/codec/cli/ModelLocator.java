package dev.sodec.codec.cli;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.models.BundledModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the model file for a command: {@code --model} (a file, or the name of a model shipped in the jar), else
 * {@code $SODEC_MODEL}; else, when encoding, the shipped default model; when decoding (the container names its
 * model by id), the {@code *.safetensors} file in {@code $SODEC_MODEL_DIR} or {@code ./models} whose id matches, or
 * the shipped model with that id.
 */
final class ModelLocator {
    private ModelLocator() {}

    static Path resolve(String option, byte[] wantedId) throws IOException, UsageException {
        if (option != null) return fileOrBundled(option);
        String env = System.getenv("SODEC_MODEL");
        if (env != null && !env.isEmpty()) return fileOrBundled(env);
        if (wantedId == null) {
            return BundledModels.defaultModel().orElseThrow(() ->
                    new UsageException("no model given and this build ships none: use --model FILE or set SODEC_MODEL"));
        }
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
        java.util.Optional<Path> bundled = BundledModels.byId(wantedId);
        if (bundled.isPresent()) return bundled.get();
        throw new UsageException("no model given and none with id " + HexFormat.of().formatHex(wantedId) + " in " + dir
                + ": use --model FILE");
    }

    /** {@code --model} or {@code $SODEC_MODEL}, nothing else: for input that names no model ({@code why}). */
    static Path explicit(String option, String why) throws IOException, UsageException {
        if (option != null) return fileOrBundled(option);
        String env = System.getenv("SODEC_MODEL");
        if (env != null && !env.isEmpty()) return fileOrBundled(env);
        throw new UsageException(why + ": use --model FILE or set SODEC_MODEL");
    }

    private static Path fileOrBundled(String s) throws IOException, UsageException {
        Path p = Path.of(s);
        if (Files.isRegularFile(p)) return p;
        java.util.Optional<Path> bundled = BundledModels.byName(s);
        if (bundled.isPresent()) return bundled.get();
        throw new UsageException("model file " + s + " does not exist (shipped models: " + BundledModels.names() + ")");
    }
}
