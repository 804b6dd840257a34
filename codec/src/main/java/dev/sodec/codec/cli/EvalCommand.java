package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.eval.Coded;
import dev.sodec.codec.eval.EvalReport;
import dev.sodec.codec.eval.ImageSet;
import dev.sodec.codec.eval.Measurement;
import dev.sodec.codec.eval.Peer;
import dev.sodec.codec.eval.SodecCoding;
import dev.sodec.codec.io.OutputFiles;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sodec eval IMAGE...|DIR}: compresses and decodes each image with each model and reports bits per pixel
 * (whole container), PSNR (dB, RGB) and MS-SSIM of the decoded 8-bit image against the input, per image and on
 * average; with {@code --compare} also JPEG (ImageIO, standard and optimized Huffman tables) and WebP at the size of
 * each of our files. An image that cannot be read is named on stderr and skipped; the exit status is then 1.
 */
final class EvalCommand {
    private EvalCommand() {}

    static final CommandSpec SPEC = new CommandSpec("eval", "IMAGE...|DIR",
            "bpp, PSNR and MS-SSIM per image and on average, optionally beside JPEG and WebP at matched bytes", List.of(
            Option.valued("--model", "M", "a shipped model's name or a model file; repeat to evaluate several"
                    + " (default $SODEC_MODEL, else low)"),
            Option.flag("--compare", "add JPEG (ImageIO; standard and optimized Huffman tables) and WebP (cwebp, when"
                    + " installed) at the lowest setting giving at least our bytes"),
            Option.flag("--compare-jpeg", "add JPEG only (ImageIO, standard tables)"),
            Option.valued("--format", "table|json|csv", "report format (default table)"),
            Option.valued("-o", "FILE", "write the report to FILE instead of stdout"),
            CommonOptions.BACKGROUND,
            CommonOptions.THREADS,
            CommonOptions.BACKEND,
            CommonOptions.MAX_PIXELS), """
            A folder stands for the image files in it (png, jpg, jpeg, ppm, pgm, gif, bmp, tif, tiff). bpp counts the
            whole .sdc file (header included). MS-SSIM follows pytorch_msssim; images with a side of 160 pixels or
            less get the same formula with unsmoothed short dimensions.""");

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        if (a.positional().isEmpty()) throw new UsageException("no images given; " + SPEC.usage());
        EvalReport.Format format;
        try {
            format = EvalReport.parseFormat(a.get("--format", "table"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--format: " + e.getMessage());
        }
        List<String> images = ImageSet.expand(a.positional());
        if (images.isEmpty()) throw new UsageException("no images found in " + String.join(", ", a.positional()));
        CodecOptions opt = CommonOptions.codecOptions(a);
        String reportFile = a.get("-o", null);
        if (reportFile != null) OutputFiles.checkWritable(java.nio.file.Path.of(reportFile));
        List<String> notes = new ArrayList<>();
        List<Peer> peers = a.flag("--compare") ? Peers.all(notes)
                : a.flag("--compare-jpeg") ? List.of(new dev.sodec.codec.eval.JpegPeer(false)) : List.of();

        List<ModelChoice> models = new ArrayList<>();
        if (a.all("--model").isEmpty()) models.add(ModelChoice.of(null));
        for (String m : a.all("--model")) models.add(ModelChoice.of(m));
        Map<String, SodecCodec> codecs = new LinkedHashMap<>();
        List<Measurement> rows;
        Map<String, String> failures = new LinkedHashMap<>();
        try {
            for (ModelChoice m : models) codecs.put(m.label(), SodecCodec.load(m.file(), opt));
            rows = PerImage.run("eval", images, opt, err, failures, (name, img) -> {
                List<Measurement> l = new ArrayList<>();
                for (Map.Entry<String, SodecCodec> c : codecs.entrySet()) {
                    String series = "sodec " + c.getKey();
                    Coded ours = SodecCoding.code(c.getValue(), img, c.getKey());
                    l.add(Measurement.of(name, series, "sodec", img, ours));
                    for (Peer p : peers) {
                        Coded theirs = p.atLeastBytes(img, ours.bytes());
                        l.add(Measurement.of(name, p.name() + " at " + series + " bytes", p.name(), img, theirs));
                    }
                }
                return l;
            });
        } finally {
            for (SodecCodec c : codecs.values()) c.close();
        }
        String text = new EvalReport(rows, failures, notes).render(format);
        if (reportFile == null) out.print(text);
        else OutputFiles.write(text.getBytes(StandardCharsets.UTF_8), reportFile);
        return failures.isEmpty() ? 0 : 1;
    }
}
