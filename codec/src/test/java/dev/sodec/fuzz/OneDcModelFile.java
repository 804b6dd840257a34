package dev.sodec.fuzz;

import dev.sodec.codec.onedc.OneDcTestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small OneDC model file: the shared tiny release ({@code checkpoints/onedc}, the reference's modules with seeded
 * random weights) converted exactly as {@code sodec convert --onedc} does, so the fuzzed decoder loads it through the
 * real weight-loading path. A 64x64 image decodes in tens of milliseconds.
 */
final class OneDcModelFile {
    private OneDcModelFile() {}

    /** Whether the shared data is there (the converter reads it through the {@code sodec.shared} property). */
    static boolean available() {
        return System.getProperty("sodec.shared") != null && Files.isDirectory(OneDcTestModels.releaseCase());
    }

    static Path write() throws IOException {
        Path dir = Files.createTempDirectory("onedc-fuzz-model");
        dir.toFile().deleteOnExit(); // registered first, so deleted last (once the file is gone)
        Path file = OneDcTestModels.convert(dir, "onedc-tiny.safetensors", false);
        file.toFile().deleteOnExit();
        return file;
    }
}
