package dev.sodec.engine.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time per op type over profiled runs: a {@link NodeTimer} that adds each node's time to its label (op, kernel
 * size, fused epilogue: "conv2d 3x3+silu", "attention", "group_norm+silu").
 */
public final class Profile implements NodeTimer {
    /** One op type: how many nodes ran and their total time. */
    public record Entry(String op, long count, long nanos) {}

    private final Map<String, long[]> byOp = new LinkedHashMap<>();

    @Override
    public synchronized void record(Node node, long nanos) {
        long[] e = byOp.computeIfAbsent(label(node), k -> new long[2]);
        e[0]++;
        e[1] += nanos;
    }

    /** The label a node is counted under. */
    public static String label(Node n) {
        return switch (n.op) {
            case CONV2D, CONV_TRANSPOSE2D -> {
                int[] w = n.inputs[1].shape();
                Attrs.Conv a = n.attrs(Attrs.Conv.class);
                String kind = n.op == Op.CONV2D && a.params().groups() > 1 && w[1] == 1 ? " depthwise" : "";
                yield n.op.label + " " + w[2] + "x" + w[3] + (n.op == Op.CONV2D && a.params().strideH() > 1 ? "/s" + a.params().strideH() : "")
                        + kind + a.epilogue().label();
            }
            case LINEAR -> n.op.label + n.attrs(Attrs.Linear.class).epilogue().label();
            case GROUP_NORM -> n.op.label + (n.attrs(Attrs.GroupNorm.class).silu() ? "+silu" : "");
            case UNARY -> n.attrs(Act.class).label();
            default -> n.op.label;
        };
    }

    /** Entries by total time, largest first. */
    public synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byOp.entrySet()) out.add(new Entry(e.getKey(), e.getValue()[0], e.getValue()[1]));
        out.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
        return out;
    }

    public synchronized long totalNanos() {
        long t = 0;
        for (long[] e : byOp.values()) t += e[1];
        return t;
    }

    /** A table: op, count, time in ms, share of the total. */
    public String table() {
        List<Entry> es = entries();
        long total = Math.max(1, totalNanos());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-36s %8s %12s %7s%n", "op", "count", "time ms", "share"));
        for (Entry e : es) {
            sb.append(String.format(Locale.ROOT, "%-36s %8d %12.2f %6.1f%%%n", e.op(), e.count(), e.nanos() / 1e6,
                    100.0 * e.nanos() / total));
        }
        return sb.toString();
    }
}
