package dev.sodec.fuzz;

import dev.sodec.codec.models.BundledModels;
import java.io.IOException;
import java.nio.file.Path;

/** The shipped default hyperprior model's file (extracted to the model cache on first use). */
final class BundledModel {
    private BundledModel() {}

    static Path file() throws IOException {
        return BundledModels.defaultModel().orElseThrow(() -> new IllegalStateException("the codec jar ships no model"));
    }
}
