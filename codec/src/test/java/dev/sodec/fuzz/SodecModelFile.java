package dev.sodec.fuzz;

import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.engine.io.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small full SODEC model file (generative decoder included) made from the {@code pipeline.sodec} golden case's
 * weights and config: the real model-file contract at a size that decodes a 64x64 image in milliseconds.
 */
final class SodecModelFile {
    private SodecModelFile() {}

    static Path shared() {
        String p = System.getProperty("sodec.shared");
        return Path.of(p != null ? p : "../shared");
    }

    static boolean available() {
        return Files.isRegularFile(shared().resolve("golden/pipeline.sodec/case.json"));
    }

    static Path write() throws IOException {
        Path file = Files.createTempFile("sodec-fuzz-model", ".safetensors");
        file.toFile().deleteOnExit();
        try (GoldenCase c = GoldenCase.open(shared().resolve("golden/pipeline.sodec"))) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("config", c.config().toString());
            meta.put("format_version", "1");
            SafeTensorsWriter.write(file, c.weights(), meta);
        }
        return file;
    }
}
