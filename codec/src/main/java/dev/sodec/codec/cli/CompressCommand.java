package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Set;

/** {@code sodec compress IN.png -o OUT.sdc --model M [--threads N] [--backend cpu]} */
final class CompressCommand {
    private CompressCommand() {}

    static final String USAGE = "usage: sodec compress IN.png|IN.jpg -o OUT.sdc --model MODEL.safetensors [--threads N] [--backend cpu]";

    static int run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("-o", "--model", "--threads", "--backend", "--max-pixels"), Set.of());
        if (a.positional().size() != 1 || a.get("-o", null) == null) throw new UsageException(USAGE);
        Path in = Path.of(a.positional().get(0)), out = Path.of(a.get("-o", null));
        CodecOptions opt = DecompressCommand.options(a);
        ImageFiles.checkWritable(out);
        BufferedImage img = ImageFiles.read(in, opt.maxPixels());
        try (SodecCodec codec = SodecCodec.load(ModelLocator.resolve(a.get("--model", null), null), opt)) {
            byte[] data = codec.compress(img);
            ImageFiles.writeBytes(data, out);
            System.out.printf("%s: %dx%d -> %d bytes (%.4f bpp)%n", out, img.getWidth(), img.getHeight(), data.length,
                    data.length * 8.0 / ((long) img.getWidth() * img.getHeight()));
        }
        return 0;
    }
}
