package dev.sodec.codec.cli;

import dev.sodec.codec.bench.PipelineBench;
import java.util.Locale;

/** The two printed forms of a {@link PipelineBench.Result}: an aligned table and one JSON object. */
final class BenchReport {
    private BenchReport() {}

    static String table(PipelineBench.Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "model %s%s, image %dx%d, backend %s, %d threads, warmup %d, runs %d%n",
                r.model(), r.parameters() > 0 ? String.format(Locale.ROOT, " (%.1fM params)", r.parameters() / 1e6) : "",
                r.width(), r.height(), r.backend(), r.threads(), r.warmup(), r.runs()));
        s.append(String.format(Locale.ROOT, "%-10s %12s %12s %12s%n", "stage", "median ms", "min ms", "max ms"));
        for (PipelineBench.Stage st : r.stages()) {
            boolean total = st.name().equals("encode") || st.name().equals("decode");
            s.append(String.format(Locale.ROOT, "%-10s %12.1f %12.1f %12.1f%n", (total ? "" : "  ") + st.name(),
                    st.median(), st.min(), st.max()));
        }
        s.append(String.format(Locale.ROOT, "bpp %.4f (%d bytes), peak RSS %s%n", r.bpp(), r.bytes(),
                r.peakRssBytes() < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f MiB", r.peakRssBytes() / 1048576.0)));
        return s.toString();
    }

    static String json(PipelineBench.Result r) {
        StringBuilder s = new StringBuilder("{");
        s.append("\"model\":").append(quote(r.model()));
        s.append(",\"parameters\":").append(r.parameters());
        s.append(",\"width\":").append(r.width()).append(",\"height\":").append(r.height());
        s.append(",\"backend\":").append(quote(r.backend())).append(",\"threads\":").append(r.threads());
        s.append(",\"warmup\":").append(r.warmup()).append(",\"runs\":").append(r.runs());
        s.append(",\"bytes\":").append(r.bytes()).append(",\"bpp\":").append(num(r.bpp()));
        s.append(",\"peak_rss_bytes\":").append(r.peakRssBytes());
        s.append(",\"stages\":[");
        for (int i = 0; i < r.stages().size(); i++) {
            PipelineBench.Stage st = r.stages().get(i);
            if (i > 0) s.append(',');
            s.append("{\"name\":").append(quote(st.name()));
            s.append(",\"median_ms\":").append(num(st.median())).append(",\"min_ms\":").append(num(st.min()));
            s.append(",\"max_ms\":").append(num(st.max())).append(",\"runs_ms\":[");
            for (int j = 0; j < st.ms().length; j++) s.append(j > 0 ? "," : "").append(num(st.ms()[j]));
            s.append("]}");
        }
        s.append("],\"decodes\":[");
        for (int i = 0; i < r.decodes().size(); i++) {
            PipelineBench.RunInfo d = r.decodes().get(i);
            if (i > 0) s.append(',');
            s.append("{\"device_transfers\":{\"host_to_device_bytes\":").append(d.transfers().hostToDeviceBytes());
            s.append(",\"device_to_host_bytes\":").append(d.transfers().deviceToHostBytes());
            s.append(",\"weight_upload_bytes\":").append(d.transfers().weightUploadBytes()).append('}');
            s.append(",\"plan\":{\"nodes\":").append(d.nodes()).append(",\"arena_bytes\":").append(d.arenaBytes()).append("}}");
        }
        return s.append("]}\n").toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String quote(String v) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') s.append('\\').append(c);
            else if (c < 0x20) s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else s.append(c);
        }
        return s.append('"').toString();
    }
}
