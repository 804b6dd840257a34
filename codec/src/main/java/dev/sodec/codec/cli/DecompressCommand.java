package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.onedc.format.OneDcSdc;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import dev.sodec.codec.io.InputFiles;
import dev.sodec.engine.memory.ProcessMemory;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code sodec decompress IN.sdc... (-o OUT | --outdir DIR)}: a full SODEC model decodes with its generative
 * decoder; {@code --fidelity} writes the g_s reconstruction instead; {@code --stats} prints the decode time and the
 * process's peak RSS. An input may also be OneDC's own {@code .bin} file, which names no model: the model then
 * comes from {@code --model} or {@code $SODEC_MODEL}.
 */
final class DecompressCommand {
    private DecompressCommand() {}

    static final CommandSpec SPEC = new CommandSpec("decompress", "IN.sdc... (-o OUT | --outdir DIR)",
            "decode .sdc files (- for stdin; also OneDC's .bin files, with --model) to PNG, JPEG or PPM images", List.of(
            Option.valued("-o", "OUT", "the image (one input), its format by extension: .png, .jpg/.jpeg, .ppm;"
                    + " - for stdout"),
            CommonOptions.OUTDIR,
            Option.valued("--format", "png|jpeg|ppm", "output format (default: by -o's extension; png for --outdir and stdout)"),
            Option.valued("--model", "M", "the model to decode with (a shipped name or a file); default $SODEC_MODEL,"
                    + " else the model the file names, from $SODEC_MODEL_DIR (./models) or the shipped models"),
            Option.flag("--fidelity", "with a full SODEC model, write the g_s reconstruction instead of the generative one"),
            Option.flag("--stats", "print the decode time and the process's peak RSS"),
            CommonOptions.JOBS,
            CommonOptions.THREADS,
            CommonOptions.BACKEND,
            CommonOptions.MAX_PIXELS,
            CommonOptions.TILE), "JPEG output uses quality " + ImageFiles.JPEG_OUTPUT_QUALITY + ". The ICC profile and EXIF block the"
            + " file carries are written into PNG (iCCP, eXIf) and JPEG (APP2, APP1) output; PPM has no place for them.");
    /** Compressed files are tiny; anything near this is not ours. */
    static final long MAX_FILE_BYTES = 1L << 30;

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        ImageFormat format = format(a);
        Outputs outputs = Outputs.resolve(a, SPEC, format.extension);
        CodecOptions opt = CommonOptions.codecOptions(a);
        int jobs = a.getInt("-j", 1, 1);
        boolean fidelity = a.flag("--fidelity"), stats = a.flag("--stats");
        PrintStream log = outputs.toStdout() ? err : out;
        // One input is read before a model is loaded: its size chooses the threads (CommonOptions.forSingleImage).
        byte[] single = a.positional().size() == 1 ? InputFiles.read(a.positional().get(0), MAX_FILE_BYTES) : null;
        if (single != null && Container.hasMagic(single)) {
            try {
                Container c = Container.parse(single);
                opt = CommonOptions.forSingleImage(opt, a, (long) c.width() * c.height());
            } catch (RuntimeException e) {
                // a damaged file: the job below reports it as for any input
            }
        }
        try (Codecs codecs = new Codecs(a.get("--model", null), opt)) {
            return Batch.run("decompress", a.positional(), jobs, err, in -> {
                byte[] data = single != null ? single : InputFiles.read(in, MAX_FILE_BYTES);
                SodecCodec codec;
                if (Container.hasMagic(data)) {
                    codec = codecs.forModelId(Container.parse(data).modelId());
                } else {
                    OneDcSdc.read(data); // not a container: OneDC's own layout, or a clear error
                    codec = codecs.explicit(InputFiles.displayName(in) + " is a OneDC .bin file, which names no model");
                }
                long t0 = System.nanoTime();
                BufferedImage img = codec.decompress(data, fidelity);
                double seconds = (System.nanoTime() - t0) / 1e9;
                String o = outputs.of(in);
                ImageFiles.write(img, o, format, SodecCodec.metadata(data));
                String decoder = codec.hasGenerativeDecoder() && !fidelity ? "generative decoder" : "fidelity decoder (g_s)";
                log.printf("%s: %dx%d, %s%n", outputs.toStdout() ? "stdout" : o, img.getWidth(), img.getHeight(), decoder);
                if (stats) {
                    // VmHWM covers the whole process: weights (mmapped, touched pages) plus the decode's activations
                    log.printf(Locale.ROOT, "decode %.3f s, peak RSS %d MiB%n", seconds, ProcessMemory.peakRssBytes() >> 20);
                }
            });
        }
    }

    private static ImageFormat format(Args a) throws UsageException {
        try {
            String f = a.get("--format", null);
            if (f != null) return ImageFormat.parse(f);
            String o = a.get("-o", null);
            return o == null || InputFiles.STDIO.equals(o) ? ImageFormat.PNG : ImageFormat.fromFileName(o);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
