package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.QualityCodec;
import dev.sodec.codec.api.RateTarget;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageMetadata;
import dev.sodec.codec.image.SourceImage;
import dev.sodec.codec.io.OutputFiles;
import dev.sodec.codec.models.QualityLadder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code sodec compress IN... (-o OUT.sdc | --outdir DIR)}: images to .sdc files. */
final class CompressCommand {
    private CompressCommand() {}

    static final CommandSpec SPEC = new CommandSpec("compress", "IN... (-o OUT.sdc | --outdir DIR)",
            "compress images (PNG, JPEG, PPM/PGM, GIF, BMP, TIFF; - for stdin) to .sdc files", List.of(
            Option.valued("-o", "OUT.sdc", "the compressed file (one input); - for stdout"),
            CommonOptions.OUTDIR,
            CommonOptions.MODEL,
            RateOptions.QUALITY,
            RateOptions.TARGET_BPP,
            RateOptions.TARGET_SIZE,
            CommonOptions.BACKGROUND,
            CommonOptions.JOBS,
            CommonOptions.THREADS,
            CommonOptions.BACKEND,
            CommonOptions.MAX_PIXELS,
            CommonOptions.TILE,
            Option.flag("--strip-metadata", "do not carry the image's ICC profile and EXIF block (the pixels are then"
                    + " converted to sRGB where the reader can)")), """
            Every image is coded as 8-bit RGB: gray is replicated to RGB, 16-bit samples are rounded to 8 bits, palettes
            are expanded, transparent pixels are composited over --background, and a JPEG's or PNG's EXIF orientation is
            applied (the decoded image is upright). Any size is accepted up to --max-pixels; sides that are not a
            multiple of 64 are padded by repeating the edge pixels and cropped again on decode. The ICC profile (of an RGB
            colour space) and the EXIF block of a JPEG or PNG are carried in the .sdc file and written back by
            decompress (orientation reset to 1, as the image is stored upright).
            --quality, --target-bpp and --target-size choose among the quality levels (sodec models list): the shipped
            models and those added with sodec models add, ordered by rate. A target picks, per image, the highest level
            whose whole file fits (a binary search over the levels, about log2(levels) + 1 encodes); when even level 1
            does not fit, that image fails with a line giving level 1's size and nothing is written for it.""");

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        Outputs outputs = Outputs.resolve(a, SPEC, "sdc");
        CodecOptions opt = CommonOptions.codecOptions(a);
        int jobs = a.getInt("-j", 1, 1);
        boolean strip = a.flag("--strip-metadata");
        PrintStream log = outputs.toStdout() ? err : out;
        Optional<RateTarget> target = RateOptions.parse(a);
        // One input is read while the model is found, and before it is loaded: the image's size chooses the threads
        // (CommonOptions.forSingleImage).
        CodecOptions asked = opt;
        Prefetch<SourceImage> reading = a.positional().size() == 1 ? Prefetch.start("sodec-read", () ->
                ImageFiles.read(a.positional().get(0), asked.maxPixels(), asked.background(), !strip)) : null;
        Path model = target.isPresent() ? null : ModelLocator.resolve(a.get("--model", null), null);
        SourceImage single = reading != null ? reading.get() : null;
        if (single != null) {
            opt = CommonOptions.forSingleImage(opt, a, (long) single.image().getWidth() * single.image().getHeight());
        }
        if (target.isPresent()) return runLadder(a, target.get(), outputs, opt, jobs, strip, log, err, single);
        CodecOptions chosen = opt;
        try (SodecCodec codec = SodecCodec.load(model, opt)) {
            return Batch.run("compress", a.positional(), jobs, err, in -> {
                SourceImage img = single != null ? single : ImageFiles.read(in, chosen.maxPixels(), chosen.background(), !strip);
                byte[] data = codec.compress(img.image(), strip ? ImageMetadata.NONE : img.metadata());
                String o = outputs.of(in);
                OutputFiles.write(data, o);
                int w = img.image().getWidth(), h = img.image().getHeight();
                log.printf(Locale.ROOT, "%s: %dx%d -> %d bytes (%.4f bpp)%n", outputs.toStdout() ? "stdout" : o,
                        w, h, data.length, data.length * 8.0 / ((long) w * h));
            });
        }
    }

    /** With a quality level or a target: per image, the level's (or the fitting level's) model. */
    private static int runLadder(Args a, RateTarget target, Outputs outputs, CodecOptions opt, int jobs, boolean strip,
                                 PrintStream log, PrintStream err, SourceImage single) throws Exception {
        QualityLadder ladder = QualityLadder.installed();
        RateOptions.checkLevel(target, ladder);
        try (QualityCodec codec = QualityCodec.open(ladder, opt)) {
            return Batch.run("compress", a.positional(), jobs, err, in -> {
                SourceImage img = single != null ? single : ImageFiles.read(in, opt.maxPixels(), opt.background(), !strip);
                QualityCodec.Compressed c = codec.compress(img.image(), strip ? ImageMetadata.NONE : img.metadata(), target);
                String o = outputs.of(in);
                OutputFiles.write(c.data(), o);
                int w = img.image().getWidth(), h = img.image().getHeight();
                log.printf(Locale.ROOT, "%s: %dx%d -> %d bytes (%.4f bpp), quality level %s%n",
                        outputs.toStdout() ? "stdout" : o, w, h, c.data().length, c.data().length * 8.0 / ((long) w * h),
                        c.level().label());
            });
        }
    }
}
