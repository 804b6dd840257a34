package dev.sodec.codec.cli;

import dev.sodec.codec.models.BundledModels;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model as chosen on the command line, with a short label for reports: the shipped name ({@code low}) or the
 * file's name.
 */
record ModelChoice(String label, Path file) {
    /** {@code option} as {@code --model} gives it; null for the default. */
    static ModelChoice of(String option) throws IOException, UsageException {
        Path file = ModelLocator.resolve(option, null);
        String given = option != null ? option : System.getenv("SODEC_MODEL");
        String label;
        if (given == null || given.isEmpty()) {
            label = BundledModels.list().isEmpty() ? file.getFileName().toString() : BundledModels.list().get(0).name();
        } else {
            Path name = Path.of(given).getFileName();
            label = name == null ? given : name.toString();
        }
        return new ModelChoice(label, file);
    }
}
