package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.JpegReference;
import dev.sodec.codec.image.Metrics;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code sodec eval [--model M] IMAGES...|DIR [--compare-jpeg]}: compresses and decodes each image and prints bits per pixel (whole
 * container), PSNR (dB, RGB) and MS-SSIM of the decoded 8-bit image against the input, and the averages; with
 * --compare-jpeg also JPEG at the lowest quality whose rate is at least the same.
 */
final class EvalCommand {
    private EvalCommand() {}

    static int run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--model", "--threads", "--backend", "--max-pixels"), Set.of("--compare-jpeg"));
        if (a.positional().isEmpty()) throw new UsageException("usage: sodec eval [--model MODEL] IMAGE...|DIR [--threads N] [--compare-jpeg]");
        List<Path> images = new ArrayList<>();
        for (String p : a.positional()) {
            Path path = Path.of(p);
            if (Files.isDirectory(path)) {
                try (Stream<Path> s = Files.list(path)) {
                    s.filter(EvalCommand::isImage).sorted().forEach(images::add);
                }
            } else {
                images.add(path);
            }
        }
        if (images.isEmpty()) throw new UsageException("no PNG or JPEG images found");
        CodecOptions opt = DecompressCommand.options(a);
        try (SodecCodec codec = SodecCodec.load(ModelLocator.resolve(a.get("--model", null), null), opt)) {
            System.out.printf("%-32s %11s %8s %8s %9s %9s %8s %8s%n", "image", "size", "bytes", "bpp", "psnr_db", "ms_ssim", "enc_s", "dec_s");
            boolean jpeg = a.flag("--compare-jpeg");
            double sumBpp = 0, sumPsnr = 0, sumMs = 0, sumEnc = 0, sumDec = 0, jBpp = 0, jPsnr = 0, jMs = 0;
            for (Path p : images) {
                BufferedImage img = ImageFiles.read(p, opt.maxPixels());
                long t0 = System.nanoTime();
                byte[] data = codec.compress(img);
                long t1 = System.nanoTime();
                BufferedImage back = codec.decompress(data);
                long t2 = System.nanoTime();
                double bpp = data.length * 8.0 / ((long) img.getWidth() * img.getHeight());
                double psnr = Metrics.psnr(img, back);
                double ms = Metrics.msSsim(img, back);
                double enc = (t1 - t0) / 1e9, dec = (t2 - t1) / 1e9;
                System.out.printf("%-32s %11s %8d %8.4f %9.3f %9.5f %8.3f %8.3f%n", p.getFileName(),
                        img.getWidth() + "x" + img.getHeight(), data.length, bpp, psnr, ms, enc, dec);
                if (jpeg) {
                    JpegReference.Encoded j = JpegReference.atLeastBpp(img, bpp);
                    double jp = Metrics.psnr(img, j.decoded()), jm = Metrics.msSsim(img, j.decoded());
                    System.out.printf("%-32s %11s %8d %8.4f %9.3f %9.5f%n", "  JPEG q=" + j.quality(), "", j.bytes().length,
                            j.bpp(), jp, jm);
                    jBpp += j.bpp();
                    jPsnr += jp;
                    jMs += jm;
                }
                sumBpp += bpp;
                sumPsnr += psnr;
                sumMs += ms;
                sumEnc += enc;
                sumDec += dec;
            }
            int n = images.size();
            System.out.printf("%-32s %11s %8s %8.4f %9.3f %9.5f %8.3f %8.3f%n", "average (" + n + " images)", "", "",
                    sumBpp / n, sumPsnr / n, sumMs / n, sumEnc / n, sumDec / n);
            if (jpeg) {
                System.out.printf("%-32s %11s %8s %8.4f %9.3f %9.5f%n", "average JPEG (ImageIO, >= bpp)", "", "",
                        jBpp / n, jPsnr / n, jMs / n);
            }
        }
        return 0;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }
}
