package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.eval.Average;
import dev.sodec.codec.eval.BdRate;
import dev.sodec.codec.eval.Coded;
import dev.sodec.codec.eval.ImageSet;
import dev.sodec.codec.eval.JpegPeer;
import dev.sodec.codec.eval.Measurement;
import dev.sodec.codec.eval.Peer;
import dev.sodec.codec.eval.SodecCoding;
import dev.sodec.codec.eval.WebpPeer;
import dev.sodec.engine.json.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sodec bdrate IMAGE...|DIR --anchor CODEC --test CODEC}: the Bjøntegaard delta rate between two codecs (or
 * two sets of models) over a set of images. Each codec's curve is its points (models or quality settings), each
 * averaged over the images (bpp and quality, as CompressAI's eval averages); {@link BdRate} fits and integrates them.
 */
final class BdRateCommand {
    private BdRateCommand() {}

    static final String CODECS = "sodec[:M,M...] (models; default the shipped ones), jpeg[:Q,Q...], jpeg-opt[:Q,Q...],"
            + " webp[:Q,Q...] (quality settings)";
    static final List<Integer> JPEG_QUALITIES = List.of(2, 3, 5, 8, 12, 20, 30, 50);
    static final List<Integer> WEBP_QUALITIES = List.of(0, 5, 10, 20, 35, 50, 75);

    static final CommandSpec SPEC = new CommandSpec("bdrate", "IMAGE...|DIR",
            "BD-rate (Bjøntegaard delta) between two codecs or sets of models over images", List.of(
            Option.valued("--anchor", "CODEC", "the reference curve (default jpeg): " + CODECS),
            Option.valued("--test", "CODEC", "the curve compared with it (default sodec)"),
            Option.valued("--metric", "psnr|ms-ssim", "quality axis (default psnr; MS-SSIM in dB, -10 log10(1 - v))"),
            Option.valued("--format", "table|json", "report format (default table)"),
            CommonOptions.BACKGROUND,
            CommonOptions.THREADS,
            CommonOptions.BACKEND,
            CommonOptions.MAX_PIXELS), """
            Negative BD-rate: the test codec needs that many percent fewer bits than the anchor for the same quality,
            averaged over the quality range both curves cover. Curves are fitted with a cubic polynomial (least
            squares); a curve of fewer than four points gets degree points - 1 (two models: a straight line, rough).
            Default qualities: jpeg %s, webp %s.""".formatted(JPEG_QUALITIES, WEBP_QUALITIES));

    /** One curve to measure: a codec and its settings. */
    record Curve(String spec, String codec, List<String> settings) {
        String label() {
            return spec;
        }
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        if (a.positional().isEmpty()) throw new UsageException("no images given; " + SPEC.usage());
        Curve anchor = curve(a.get("--anchor", "jpeg")), test = curve(a.get("--test", "sodec"));
        if (anchor.label().equals(test.label())) throw new UsageException("--anchor and --test are both " + anchor.label());
        String metric = a.get("--metric", "psnr").toLowerCase(Locale.ROOT);
        if (!metric.equals("psnr") && !metric.equals("ms-ssim")) throw new UsageException("--metric must be psnr or ms-ssim, not " + metric);
        String format = a.get("--format", "table");
        if (!format.equals("table") && !format.equals("json")) throw new UsageException("--format must be table or json, not " + format);
        List<String> images = ImageSet.expand(a.positional());
        if (images.isEmpty()) throw new UsageException("no images found in " + String.join(", ", a.positional()));
        CodecOptions opt = CommonOptions.codecOptions(a);

        Map<String, SodecCodec> codecs = new LinkedHashMap<>();
        List<Measurement> rows;
        Map<String, String> failures = new LinkedHashMap<>();
        try {
            Points anchorPoints = points(anchor, codecs, opt), testPoints = points(test, codecs, opt);
            rows = PerImage.run("bdrate", images, opt, err, failures, (name, img) -> {
                List<Measurement> l = new ArrayList<>(anchorPoints.measure(name, img));
                l.addAll(testPoints.measure(name, img));
                return l;
            });
        } finally {
            for (SodecCodec c : codecs.values()) c.close();
        }
        if (rows.isEmpty()) throw new IOException("no image could be measured");
        List<Average> avg = Average.of(rows);
        double[][] ca = curveOf(avg, anchor, metric), ct = curveOf(avg, test, metric);
        double bd = BdRate.bdRate(ca[0], ca[1], ct[0], ct[1]);
        double bdq; // needs overlapping rates, which two curves of the same quality settings may lack
        try {
            bdq = BdRate.bdQuality(ca[0], ca[1], ct[0], ct[1]);
        } catch (IllegalArgumentException e) {
            bdq = Double.NaN;
        }
        int n = images.size() - failures.size();
        out.print(format.equals("json") ? json(anchor, test, metric, avg, bd, bdq, n, failures) : table(anchor, test, metric, avg, bd, bdq, n));
        return failures.isEmpty() ? 0 : 1;
    }

    static Curve curve(String spec) throws UsageException {
        String[] parts = spec.split(":", 2);
        String codec = parts[0].toLowerCase(Locale.ROOT);
        List<String> settings = parts.length == 2 && !parts[1].isEmpty() ? List.of(parts[1].split(",")) : List.of();
        switch (codec) {
            case "sodec" -> { }
            case "jpeg", "jpeg-opt", "webp" -> {
                for (String q : settings) {
                    try {
                        int v = Integer.parseInt(q.strip());
                        if (v < 0 || v > 100) throw new NumberFormatException();
                    } catch (NumberFormatException e) {
                        throw new UsageException("quality '" + q + "' in " + spec + " is not an integer 0..100");
                    }
                }
                if (settings.isEmpty()) {
                    settings = (codec.equals("webp") ? WEBP_QUALITIES : JPEG_QUALITIES).stream().map(String::valueOf).toList();
                }
            }
            default -> throw new UsageException("unknown codec '" + parts[0] + "' (" + CODECS + ")");
        }
        return new Curve(spec, codec, settings);
    }

    /** How to measure every point of a curve on one image. */
    interface Points {
        List<Measurement> measure(String image, BufferedImage img) throws Exception;
    }

    private static Points points(Curve c, Map<String, SodecCodec> codecs, CodecOptions opt) throws Exception {
        if (c.codec().equals("sodec")) {
            List<String> models = c.settings().isEmpty()
                    ? dev.sodec.codec.models.BundledModels.list().stream().map(m -> m.name()).toList() : c.settings();
            if (models.isEmpty()) throw new UsageException("this build ships no models: name them, sodec:M1,M2");
            List<String> labels = new ArrayList<>();
            for (String m : models) {
                ModelChoice mc = ModelChoice.of(m.strip());
                if (!codecs.containsKey(mc.label())) codecs.put(mc.label(), SodecCodec.load(mc.file(), opt));
                labels.add(mc.label());
            }
            return (name, img) -> {
                List<Measurement> l = new ArrayList<>();
                for (String label : labels) {
                    Coded coded = SodecCoding.code(codecs.get(label), img, label);
                    l.add(Measurement.of(name, c.label() + " " + label, "sodec", img, coded));
                }
                return l;
            };
        }
        Peer peer = switch (c.codec()) {
            case "jpeg" -> new JpegPeer(false);
            case "jpeg-opt" -> new JpegPeer(true);
            default -> WebpPeer.find().orElseThrow(() -> new IOException(WebpPeer.MISSING));
        };
        return (name, img) -> {
            List<Measurement> l = new ArrayList<>();
            for (String q : c.settings()) {
                Coded coded = peer.atQuality(img, Integer.parseInt(q.strip()));
                l.add(Measurement.of(name, c.label() + " " + coded.setting(), peer.name(), img, coded));
            }
            return l;
        };
    }

    /** {rates (bpp), qualities} of a curve's averaged points. */
    static double[][] curveOf(List<Average> avg, Curve c, String metric) {
        List<Average> mine = avg.stream().filter(x -> x.series().startsWith(c.label() + " ")).toList();
        double[][] r = new double[2][mine.size()];
        for (int i = 0; i < mine.size(); i++) {
            r[0][i] = mine.get(i).bpp();
            r[1][i] = quality(mine.get(i), metric);
        }
        return r;
    }

    static double quality(Average a, String metric) {
        return metric.equals("psnr") ? a.psnr() : -10 * Math.log10(1 - a.msSsim());
    }

    private static String table(Curve anchor, Curve test, String metric, List<Average> avg, double bd, double bdq, int images) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-7s %-40s %8s %9s %9s%n", "curve", "point", "bpp", "psnr_db", "ms_ssim"));
        for (Average a : avg) {
            String role = a.series().startsWith(anchor.label() + " ") ? "anchor" : "test";
            s.append(String.format(Locale.ROOT, "%-7s %-40s %8.4f %9.3f %9.5f%n", role, a.series(), a.bpp(), a.psnr(), a.msSsim()));
        }
        int na = curveOf(avg, anchor, metric)[0].length, nt = curveOf(avg, test, metric)[0].length;
        s.append(String.format(Locale.ROOT, "BD-rate of %s against %s (%s, %d images): %+.2f %%%n", test.label(), anchor.label(),
                metric.equals("psnr") ? "PSNR" : "MS-SSIM dB", images, bd));
        s.append(String.format(Locale.ROOT, "BD-%s: %s%n", metric.equals("psnr") ? "PSNR" : "MS-SSIM",
                Double.isNaN(bdq) ? "n/a (the curves do not overlap in rate)" : String.format(Locale.ROOT, "%+.3f dB", bdq)));
        s.append(String.format(Locale.ROOT, "fit: %s %d points (degree %d), %s %d points (degree %d)%n", anchor.label(), na,
                BdRate.degree(na), test.label(), nt, BdRate.degree(nt)));
        return s.toString();
    }

    private static String json(Curve anchor, Curve test, String metric, List<Average> avg, double bd, double bdq, int images,
                               Map<String, String> failures) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("anchor", curveJson(anchor, avg));
        o.put("test", curveJson(test, avg));
        o.put("metric", metric);
        o.put("images", images);
        o.put("bd_rate_percent", bd);
        o.put("bd_quality_db", Double.isNaN(bdq) ? null : bdq);
        List<Object> f = new ArrayList<>();
        for (Map.Entry<String, String> e : failures.entrySet()) f.add(Map.of("image", e.getKey(), "error", e.getValue()));
        o.put("failed", f);
        return Json.write(o) + "\n";
    }

    private static Map<String, Object> curveJson(Curve c, List<Average> avg) {
        List<Object> pts = new ArrayList<>();
        for (Average a : avg) {
            if (!a.series().startsWith(c.label() + " ")) continue;
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("point", a.series().substring(c.label().length() + 1));
            p.put("bpp", a.bpp());
            p.put("psnr_db", a.psnr());
            p.put("ms_ssim", a.msSsim());
            pts.add(p);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("codec", c.label());
        m.put("points", pts);
        return m;
    }
}
