package dev.sodec.codec.cli;

import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Finds the model file for a command: {@code --model} (a file, or the name of a model shipped in the jar), else
 * {@code $SODEC_MODEL}; else, when encoding, the shipped default model; when decoding (the container names its
 * model by id), the {@code *.safetensors} file in {@code $SODEC_MODEL_DIR} or {@code ./models} whose id matches, or
 * the shipped model with that id ({@link ModelFinder}). A model that cannot be found is a failure (exit 1), named
 * with the shipped models' names.
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
        Optional<Path> found = ModelFinder.byId(wantedId);
        if (found.isPresent()) return found.get();
        throw new IOException("the file was made with model id " + HexFormat.of().formatHex(wantedId)
                + ", which is not a shipped model (" + BundledModels.names() + ") nor a *.safetensors file in "
                + ModelFinder.modelDir() + ": give it with --model FILE or put it in $SODEC_MODEL_DIR");
    }

    /** {@code --model} or {@code $SODEC_MODEL}, nothing else: for input that names no model ({@code why}). */
    static Path explicit(String option, String why) throws IOException, UsageException {
        if (option != null) return fileOrBundled(option);
        String env = System.getenv("SODEC_MODEL");
        if (env != null && !env.isEmpty()) return fileOrBundled(env);
        throw new UsageException(why + ": use --model FILE or set SODEC_MODEL");
    }

    private static Path fileOrBundled(String s) throws IOException {
        Path p = Path.of(s);
        if (Files.isDirectory(p)) throw new IOException("model " + s + " is a folder, not a model file");
        Optional<Path> found = ModelFinder.byNameOrFile(s);
        if (found.isPresent()) return found.get();
        throw new NoSuchFileException(s, null, "no such model file, and not a shipped model's name (shipped: "
                + BundledModels.names() + ") nor an added one (sodec models list)");
    }
}
