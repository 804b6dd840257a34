package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.onedc.format.OneDcSdc;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.memory.ProcessMemory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code sodec decompress IN.sdc -o OUT.png [--model M] [--fidelity] [--stats] [--threads N] [--backend cpu]}: a full SODEC
 * model decodes with its generative decoder; {@code --fidelity} writes the g_s reconstruction instead; {@code
 * --stats} prints the decode time and the process's peak RSS. With a OneDC model IN may also be OneDC's own
 * {@code .bin} file, which names no model: the model then comes from {@code --model} or {@code $SODEC_MODEL}.
 */
final class DecompressCommand {
    private DecompressCommand() {}

    static final String USAGE = "usage: sodec decompress IN.sdc -o OUT.png [--model MODEL.safetensors] [--fidelity] [--stats] [--threads N] [--backend cpu]";
    /** Compressed files are tiny; anything near this is not ours. */
    static final long MAX_FILE_BYTES = 1L << 30;

    static int run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("-o", "--model", "--threads", "--backend", "--max-pixels"), Set.of("--fidelity", "--stats"));
        if (a.positional().size() != 1 || a.get("-o", null) == null) throw new UsageException(USAGE);
        Path in = Path.of(a.positional().get(0)), out = Path.of(a.get("-o", null));
        CodecOptions opt = options(a);
        ImageFiles.checkWritable(out);
        byte[] data = readContainerFile(in);
        Path model;
        if (Container.hasMagic(data)) {
            model = ModelLocator.resolve(a.get("--model", null), Container.parse(data).modelId());
        } else {
            OneDcSdc.read(data); // not a container: OneDC's own layout, or a clear error
            model = ModelLocator.explicit(a.get("--model", null), in + " is a OneDC .bin file, which names no model");
        }
        try (SodecCodec codec = SodecCodec.load(model, opt)) {
            boolean fidelity = a.flag("--fidelity");
            long t0 = System.nanoTime();
            BufferedImage img = codec.decompress(data, fidelity);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ImageFiles.writePng(img, out);
            String decoder = codec.hasGenerativeDecoder() && !fidelity ? "generative decoder" : "fidelity decoder (g_s)";
            System.out.printf("%s: %dx%d, %s%n", out, img.getWidth(), img.getHeight(), decoder);
            if (a.flag("--stats")) {
                // VmHWM covers the whole process: weights (mmapped, touched pages) plus the decode's activations
                System.out.printf("decode %.3f s, peak RSS %d MiB%n", seconds, ProcessMemory.peakRssBytes() >> 20);
            }
        }
        return 0;
    }

    static byte[] readContainerFile(Path in) throws Exception {
        if (!Files.isRegularFile(in)) throw new NoSuchFileException(in.toString(), null, "no such file");
        if (Files.size(in) > MAX_FILE_BYTES) throw new UsageException(in + ": " + Files.size(in) + " bytes is not a sodec compressed image");
        return Files.readAllBytes(in);
    }

    static CodecOptions options(Args a) throws UsageException {
        int threads = a.getInt("--threads", 0);
        if (threads < 0) throw new UsageException("--threads must be >= 0");
        long maxPixels = CodecOptions.DEFAULT_MAX_PIXELS;
        String mp = a.get("--max-pixels", null);
        if (mp != null) {
            try {
                maxPixels = Long.parseLong(mp);
            } catch (NumberFormatException e) {
                throw new UsageException("--max-pixels expects an integer, got '" + mp + "'");
            }
            if (maxPixels < 1) throw new UsageException("--max-pixels must be >= 1");
        }
        return new CodecOptions(a.get("--backend", Backends.DEFAULT), threads, maxPixels);
    }
}
