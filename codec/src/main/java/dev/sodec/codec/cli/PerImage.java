package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.eval.Measurement;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.io.IoMessages;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loop of the measuring commands ({@code eval}, {@code bdrate}): each image is read and measured; one that
 * fails is named on stderr, recorded in {@code failures} and skipped, and the others go on.
 */
final class PerImage {
    private PerImage() {}

    @FunctionalInterface
    interface Measure {
        /** Every row for one image; {@code name} is the file name the rows carry. */
        List<Measurement> apply(String name, BufferedImage img) throws Exception;
    }

    static List<Measurement> run(String command, List<String> paths, CodecOptions opt, PrintStream err,
                                 Map<String, String> failures, Measure measure) {
        List<Measurement> rows = new ArrayList<>();
        for (String path : paths) {
            try {
                BufferedImage img = ImageFiles.read(path, opt.maxPixels(), opt.background()).image();
                rows.addAll(measure.apply(Path.of(path).getFileName().toString(), img));
            } catch (Exception e) {
                String msg = IoMessages.describe(e);
                failures.put(path, msg);
                err.println("sodec " + command + ": " + Batch.named(path, msg) + " (skipped)");
            }
        }
        return rows;
    }
}
