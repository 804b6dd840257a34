package dev.sodec.codec.bench;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time goes: wraps a {@link Backend} so every op call is timed (wall clock, all threads of the op) and
 * added up per stage and op. Ops are coarse (a whole conv, GEMM or norm, milliseconds each), so the dispatch through
 * a proxy costs nothing measurable; used only by {@code sodec bench --profile}. Convs are split by kernel size and
 * stride, GEMM-like ops by their shapes' inner width, since those are the cases one would tune separately.
 */
public final class OpProfile {
    private final Map<String, long[]> totals = new LinkedHashMap<>(); // key -> {nanos, calls}
    private String stage = "-";

    /** Later op calls are counted under {@code s}. */
    public void stage(String s) {
        stage = s;
    }

    public Backend wrap(Backend b) {
        InvocationHandler h = (proxy, m, args) -> {
            String name = m.getName();
            if (name.equals("name") || name.equals("threads") || name.equals("close") || m.getDeclaringClass() == Object.class) {
                return call(m, b, args);
            }
            long t0 = System.nanoTime();
            Object r = call(m, b, args);
            long dt = System.nanoTime() - t0;
            long[] acc = totals.computeIfAbsent(stage + "\t" + label(name, args), k -> new long[2]);
            acc[0] += dt;
            acc[1]++;
            return r;
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    private static Object call(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String label(String op, Object[] args) {
        if ((op.equals("conv2d") || op.equals("convTranspose2d")) && args[1] instanceof Tensor w && w.rank() == 4) {
            String k = op + " k" + w.dim(2) + "x" + w.dim(3);
            return args[3] instanceof Conv2dParams p ? k + " s" + p.strideH() + " p" + p.padH() + (p.groups() == 1 ? "" : " g" + p.groups()) : k;
        }
        return op;
    }

    /** One row per stage and op, largest first, with its share of the profiled time. */
    public String report() {
        long all = 0;
        for (long[] v : totals.values()) all += v[0];
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(totals.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-10s %-28s %7s %11s %6s%n", "stage", "op", "calls", "total ms", "share"));
        for (Map.Entry<String, long[]> e : rows) {
            String[] k = e.getKey().split("\t", 2);
            s.append(String.format(Locale.ROOT, "%-10s %-28s %7d %11.1f %5.1f%%%n", k[0], k[1], e.getValue()[1],
                    e.getValue()[0] / 1e6, 100.0 * e.getValue()[0] / Math.max(1, all)));
        }
        return s.toString();
    }
}
