package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.JpegReference;
import dev.sodec.codec.image.Metrics;
import dev.sodec.codec.image.Pixels;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * {@code sodec demo [--image IN] [--model M] [-o DIR]}: the README's main job. Compresses an image (the bundled
 * CC0 photo by default) with the default model, decodes it, writes the compressed file and the reconstruction, and
 * prints rate and quality beside JPEG at the same or a higher rate.
 */
final class DemoCommand {
    private DemoCommand() {}

    static final String USAGE = "usage: sodec demo [--image IN.png] [--model MODEL] [-o OUTDIR] [--threads N] [--backend cpu]";
    private static final String DEMO_IMAGE = "/dev/sodec/demo/chelsea.png";

    static int run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--image", "--model", "-o", "--threads", "--backend", "--max-pixels"), Set.of());
        if (!a.positional().isEmpty()) throw new UsageException(USAGE);
        CodecOptions opt = DecompressCommand.options(a);
        Path outDir = Path.of(a.get("-o", "out/demo"));
        String imageArg = a.get("--image", null);
        BufferedImage img;
        String stem;
        if (imageArg == null) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(DEMO_IMAGE)) {
                if (in == null) throw new IllegalStateException("the bundled demo image is missing from the jar");
                img = ImageIO.read(in);
            }
            Pixels.checkCodable(img);
            stem = "chelsea";
        } else {
            img = ImageFiles.read(Path.of(imageArg), opt.maxPixels());
            String n = Path.of(imageArg).getFileName().toString();
            stem = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
        }
        Files.createDirectories(outDir);
        Path model = ModelLocator.resolve(a.get("--model", null), null);
        long pixels = (long) img.getWidth() * img.getHeight();
        try (SodecCodec codec = SodecCodec.load(model, opt)) {
            long t0 = System.nanoTime();
            byte[] data = codec.compress(img);
            long t1 = System.nanoTime();
            BufferedImage back = codec.decompress(data);
            long t2 = System.nanoTime();
            Path sdc = outDir.resolve(stem + ".sdc"), png = outDir.resolve(stem + ".decoded.png");
            ImageFiles.writeBytes(data, sdc);
            ImageFiles.writePng(back, png);
            JpegReference.Encoded jpeg = JpegReference.atLeastBpp(img, data.length * 8.0 / pixels);
            Path jpg = outDir.resolve(stem + ".jpeg-q" + jpeg.quality() + ".jpg");
            ImageFiles.writeBytes(jpeg.bytes(), jpg);

            String sizes = codec.architecture().startsWith("onedc") ? "" : " N=" + codec.config().N() + " M=" + codec.config().M();
            System.out.printf("model %s (%s%s, id %s)%n", model.getFileName(), codec.architecture(), sizes, codec.modelIdHex());
            System.out.printf("image %s, %dx%d, encode %.0f ms, decode %.0f ms (%s backend, %d threads)%n",
                    imageArg == null ? "chelsea.png (bundled)" : imageArg, img.getWidth(), img.getHeight(),
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, opt.backend(), Runtime.getRuntime().availableProcessors());
            System.out.printf("%-28s %8s %8s %9s %9s%n", "codec", "bytes", "bpp", "psnr_db", "ms_ssim");
            System.out.printf("%-28s %8d %8.4f %9.3f %9.5f%n", "sodec", data.length, data.length * 8.0 / pixels,
                    Metrics.psnr(img, back), Metrics.msSsim(img, back));
            System.out.printf("%-28s %8d %8.4f %9.3f %9.5f%n", "JPEG (ImageIO) q=" + jpeg.quality(), jpeg.bytes().length,
                    jpeg.bpp(), Metrics.psnr(img, jpeg.decoded()), Metrics.msSsim(img, jpeg.decoded()));
            System.out.printf("wrote %s, %s, %s%n", sdc, png, jpg);
        }
        return 0;
    }
}
