package dev.sodec.codec.eval;

import dev.sodec.engine.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An evaluation's results as an aligned table, one JSON object or CSV: per-image rows, the average of each series,
 * the inputs that failed, and notes (a peer that was not available).
 *
 * @param failures input name to the one-line reason it was skipped
 */
public record EvalReport(List<Measurement> rows, Map<String, String> failures, List<String> notes) {
    public enum Format { TABLE, JSON, CSV }

    public static Format parseFormat(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "table" -> Format.TABLE;
            case "json" -> Format.JSON;
            case "csv" -> Format.CSV;
            default -> throw new IllegalArgumentException("unknown format '" + s + "' (table, json, csv)");
        };
    }

    public String render(Format f) {
        return switch (f) {
            case TABLE -> table();
            case JSON -> json();
            case CSV -> csv();
        };
    }

    String table() {
        StringBuilder s = new StringBuilder();
        String fmt = "%-32s %-40s %11s %8s %8s %9s %9s %8s %8s%n";
        s.append(String.format(Locale.ROOT, fmt, "image", "codec (setting)", "size", "bytes", "bpp", "psnr_db", "ms_ssim", "enc_s", "dec_s"));
        String last = null;
        for (Measurement m : rows) {
            boolean first = !m.image().equals(last);
            last = m.image();
            s.append(String.format(Locale.ROOT, fmt, first ? m.image() : "", m.series() + " (" + m.setting() + ")",
                    first ? m.width() + "x" + m.height() : "", m.bytes(), f4(m.bpp()), f3(m.psnr()), f5(m.msSsim()),
                    f3(m.encodeSeconds()), f3(m.decodeSeconds())));
        }
        List<Average> avg = Average.of(rows);
        for (Average a : avg) {
            s.append(String.format(Locale.ROOT, fmt, "average (" + a.images() + " images)", a.series(), "", "", f4(a.bpp()),
                    f3(a.psnr()), f5(a.msSsim()), f3(a.encodeSeconds()), f3(a.decodeSeconds())));
        }
        for (Map.Entry<String, String> e : failures.entrySet()) s.append("failed: ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        for (String n : notes) s.append("note: ").append(n).append('\n');
        return s.toString();
    }

    String json() {
        Map<String, Object> o = new LinkedHashMap<>();
        List<Object> r = new ArrayList<>();
        for (Measurement m : rows) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("image", m.image());
            x.put("series", m.series());
            x.put("codec", m.codec());
            x.put("setting", m.setting());
            x.put("width", m.width());
            x.put("height", m.height());
            x.put("bytes", m.bytes());
            x.put("bpp", num(m.bpp()));
            x.put("psnr_db", num(m.psnr()));
            x.put("ms_ssim", num(m.msSsim()));
            x.put("encode_s", num(m.encodeSeconds()));
            x.put("decode_s", num(m.decodeSeconds()));
            r.add(x);
        }
        List<Object> av = new ArrayList<>();
        for (Average a : Average.of(rows)) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("series", a.series());
            x.put("codec", a.codec());
            x.put("images", a.images());
            x.put("bpp", num(a.bpp()));
            x.put("psnr_db", num(a.psnr()));
            x.put("ms_ssim", num(a.msSsim()));
            x.put("encode_s", num(a.encodeSeconds()));
            x.put("decode_s", num(a.decodeSeconds()));
            av.add(x);
        }
        List<Object> f = new ArrayList<>();
        for (Map.Entry<String, String> e : failures.entrySet()) f.add(Map.of("image", e.getKey(), "error", e.getValue()));
        o.put("rows", r);
        o.put("averages", av);
        o.put("failed", f);
        o.put("notes", new ArrayList<Object>(notes));
        return Json.write(o) + "\n";
    }

    String csv() {
        StringBuilder s = new StringBuilder("image,series,codec,setting,width,height,bytes,bpp,psnr_db,ms_ssim,encode_s,decode_s\n");
        for (Measurement m : rows) {
            s.append(String.join(",", cell(m.image()), cell(m.series()), cell(m.codec()), cell(m.setting()),
                    Integer.toString(m.width()), Integer.toString(m.height()), Long.toString(m.bytes()), f6(m.bpp()),
                    f6(m.psnr()), f6(m.msSsim()), f6(m.encodeSeconds()), f6(m.decodeSeconds()))).append('\n');
        }
        for (Average a : Average.of(rows)) {
            s.append(String.join(",", cell("average (" + a.images() + " images)"), cell(a.series()), cell(a.codec()), "", "", "",
                    "", f6(a.bpp()), f6(a.psnr()), f6(a.msSsim()), f6(a.encodeSeconds()), f6(a.decodeSeconds()))).append('\n');
        }
        return s.toString();
    }

    /** JSON has no NaN or infinity: null instead (no timing, or identical images). */
    private static Object num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String cell(String v) {
        if (v.contains(",") || v.contains("\"") || v.contains("\n")) return '"' + v.replace("\"", "\"\"") + '"';
        return v;
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String f5(double v) {
        return String.format(Locale.ROOT, "%.5f", v);
    }

    private static String f6(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
