package dev.sodec.codec.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mean of a series over images, as CompressAI's eval averages (bpp, PSNR and MS-SSIM each averaged over the
 * images; timings over those measured).
 */
public record Average(String series, String codec, int images, double bpp, double psnr, double msSsim,
                      double encodeSeconds, double decodeSeconds) {
    /** One average per series, in the order the series first appear. */
    public static List<Average> of(List<Measurement> rows) {
        Map<String, List<Measurement>> bySeries = new LinkedHashMap<>();
        for (Measurement m : rows) bySeries.computeIfAbsent(m.series(), k -> new ArrayList<>()).add(m);
        List<Average> out = new ArrayList<>();
        for (Map.Entry<String, List<Measurement>> e : bySeries.entrySet()) {
            List<Measurement> l = e.getValue();
            out.add(new Average(e.getKey(), l.get(0).codec(), l.size(), mean(l, Measurement::bpp), mean(l, Measurement::psnr),
                    mean(l, Measurement::msSsim), mean(l, Measurement::encodeSeconds), mean(l, Measurement::decodeSeconds)));
        }
        return out;
    }

    private static double mean(List<Measurement> l, java.util.function.ToDoubleFunction<Measurement> f) {
        double s = 0;
        int n = 0;
        for (Measurement m : l) {
            double v = f.applyAsDouble(m);
            if (Double.isNaN(v)) continue;
            s += v;
            n++;
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
