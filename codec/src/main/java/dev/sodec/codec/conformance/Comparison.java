package dev.sodec.codec.conformance;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/** The comparison rules of golden FORMAT.md section 4 for one output. */
public record Comparison(String output, boolean pass, double relL2, double maxAbs, String detail) {

    public static Comparison compare(String output, Tensor got, Tensor exp, double tolRel, double tolAbs) {
        if (!Arrays.equals(got.shape(), exp.shape())) {
            return new Comparison(output, false, Double.NaN, Double.NaN,
                    "shape " + Arrays.toString(got.shape()) + " != expected " + Arrays.toString(exp.shape()));
        }
        if (exp.dtype() == DType.I32 || exp.dtype() == DType.U8) {
            long mismatches = 0;
            long first = -1;
            long n = exp.numel();
            Tensor g = got.contiguous(), e = exp.contiguous();
            for (long i = 0; i < n; i++) {
                long gv = value(g, i), ev = value(e, i);
                if (gv != ev) {
                    if (first < 0) first = i;
                    mismatches++;
                }
            }
            if (g.dtype() != e.dtype() && !(g.dtype() == DType.I32 || g.dtype() == DType.U8)) {
                return new Comparison(output, false, Double.NaN, Double.NaN, "dtype " + g.dtype() + " != " + e.dtype());
            }
            return new Comparison(output, mismatches == 0, mismatches == 0 ? 0 : 1, mismatches,
                    mismatches == 0 ? "exact" : mismatches + " of " + n + " differ, first at " + first
                            + " (got " + value(g, first) + ", expected " + value(e, first) + ")");
        }
        float[] g = got.toFloatArray(), e = exp.toFloatArray();
        double num = 0, den = 0, max = 0;
        for (int i = 0; i < e.length; i++) {
            double d = (double) g[i] - e[i];
            if (Double.isNaN(d)) {
                max = Double.NaN;
                num = Double.NaN;
                break;
            }
            num += d * d;
            den += (double) e[i] * e[i];
            max = Math.max(max, Math.abs(d));
        }
        double rel = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
        boolean pass = rel <= tolRel && max <= tolAbs;
        return new Comparison(output, pass, rel, max, pass ? "" : String.format("tol rel_l2 %.2e max_abs %.2e", tolRel, tolAbs));
    }

    private static long value(Tensor t, long i) {
        return switch (t.dtype()) {
            case I32 -> t.getInt(i);
            case U8 -> Byte.toUnsignedInt(t.storage().get(java.lang.foreign.ValueLayout.JAVA_BYTE, t.offset() + i));
            default -> (long) t.getFloat(i);
        };
    }
}
