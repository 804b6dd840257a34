package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.eval.Coded;
import dev.sodec.codec.eval.Measurement;
import dev.sodec.codec.eval.Peer;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sodec demo [--image IN] [--model M] [-o DIR]}: the README's main job. Compresses an image (the bundled
 * CC0 photo by default) with the default model, decodes it, writes the compressed file and the reconstruction, and
 * prints rate and quality beside JPEG (standard and optimized Huffman tables) and WebP at the same or a higher rate.
 */
final class DemoCommand {
    private DemoCommand() {}

    static final CommandSpec SPEC = new CommandSpec("demo", "", "compress and decode one image (a bundled photo by"
            + " default) and compare with JPEG and WebP at matched bytes", List.of(
            Option.valued("--image", "IN", "the image (default: the bundled chelsea.png, 451x300)"),
            CommonOptions.MODEL,
            Option.valued("-o", "DIR", "where the files are written (default out/demo)"),
            CommonOptions.BACKGROUND,
            CommonOptions.THREADS,
            CommonOptions.BACKEND,
            CommonOptions.MAX_PIXELS), """
            Each peer gets the lowest setting whose file is at least as large as ours; WebP is compared when the cwebp
            and dwebp commands are installed (Debian/Ubuntu: apt-get install webp), and the output says so when not.""");
    private static final String DEMO_IMAGE = "/dev/sodec/demo/chelsea.png";

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        if (!a.positional().isEmpty()) throw new UsageException("unexpected argument '" + a.positional().get(0) + "'; " + SPEC.usage());
        CodecOptions opt = CommonOptions.codecOptions(a);
        Path outDir = Path.of(a.get("-o", "out/demo"));
        String imageArg = a.get("--image", null);
        BufferedImage img;
        String stem;
        if (imageArg == null) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(DEMO_IMAGE)) {
                if (in == null) throw new IllegalStateException("the bundled demo image is missing from the jar");
                img = ImageFiles.decode(in.readAllBytes(), "chelsea.png", opt.maxPixels(), opt.background()).image();
            }
            stem = "chelsea";
        } else {
            img = ImageFiles.read(imageArg, opt.maxPixels(), opt.background()).image();
            stem = Outputs.stem(imageArg);
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) throw new java.io.IOException("-o " + outDir + " is a file, not a folder");
        Files.createDirectories(outDir);
        ModelChoice model = ModelChoice.of(a.get("--model", null));
        long pixels = (long) img.getWidth() * img.getHeight();
        try (SodecCodec codec = SodecCodec.load(model.file(), opt)) {
            long t0 = System.nanoTime();
            byte[] data = codec.compress(img);
            long t1 = System.nanoTime();
            BufferedImage back = codec.decompress(data);
            long t2 = System.nanoTime();
            Path sdc = outDir.resolve(stem + ".sdc"), png = outDir.resolve(stem + ".decoded.png");
            ImageFiles.writeBytes(data, sdc);
            ImageFiles.writePng(back, png);
            List<String> notes = new ArrayList<>();
            List<Measurement> rows = new ArrayList<>();
            rows.add(Measurement.of(stem, "sodec " + model.label(), "sodec", img, new Coded(model.label(), data.length, back)));
            List<Path> written = new ArrayList<>(List.of(sdc, png));
            for (Peer p : Peers.all(notes)) {
                Coded c = p.atLeastBytes(img, data.length);
                rows.add(Measurement.of(stem, p.name(), p.name(), img, c));
                String tag = p.name().startsWith("WebP") ? "webp" : p.name().contains("optimized") ? "jpeg-opt" : "jpeg";
                Path f = outDir.resolve(stem + "." + tag + "." + c.setting().replaceAll("[^A-Za-z0-9=]", "") + ".png");
                ImageFiles.write(c.decoded(), f.toString(), ImageFormat.PNG);
                written.add(f);
            }

            String sizes = codec.architecture().startsWith("onedc") ? "" : " N=" + codec.config().N() + " M=" + codec.config().M();
            out.printf("model %s (%s%s, id %s)%n", model.label(), codec.architecture(), sizes, codec.modelIdHex());
            out.printf(Locale.ROOT, "image %s, %dx%d, encode %.0f ms, decode %.0f ms (%s backend, %d threads; the first"
                            + " call of a process includes JIT warm-up)%n",
                    imageArg == null ? "chelsea.png (bundled)" : imageArg, img.getWidth(), img.getHeight(),
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, opt.backend(), Runtime.getRuntime().availableProcessors());
            out.printf("%-36s %-12s %8s %8s %9s %9s%n", "codec", "setting", "bytes", "bpp", "psnr_db", "ms_ssim");
            for (Measurement m : rows) {
                out.printf(Locale.ROOT, "%-36s %-12s %8d %8.4f %9.3f %9.5f%n", m.series(), m.setting(), m.bytes(), m.bpp(),
                        m.psnr(), m.msSsim());
            }
            for (String n : notes) out.println("note: " + n);
            out.println("peers get the lowest setting whose file is at least " + data.length + " bytes ("
                    + String.format(Locale.ROOT, "%.4f", data.length * 8.0 / pixels) + " bpp)");
            out.println("wrote " + String.join(", ", written.stream().map(Path::toString).toList()));
        }
        return 0;
    }
}
