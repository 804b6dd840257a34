package dev.sodec.engine.graph;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Shapes;
import java.util.Arrays;

/**
 * Shape inference and validation of every op: the one place where an op's operands are checked. A backend only
 * ever receives nodes that passed these rules, so kernels need no checks of their own beyond their limits.
 */
final class ShapeRules {
    private ShapeRules() {}

    static IllegalArgumentException bad(String op, String message) {
        return new IllegalArgumentException(op + ": " + message);
    }

    static String str(int[] s) {
        return Arrays.toString(s);
    }

    static void rank(String op, String what, int[] s, int rank) {
        if (s.length != rank) throw bad(op, what + " must be " + rank + "-D, got " + str(s));
    }

    static void rankAtLeast(String op, String what, int[] s, int rank) {
        if (s.length < rank) throw bad(op, what + " needs rank >= " + rank + ", got " + str(s));
    }

    /** An optional per-channel vector: absent, or exactly (n). */
    static void vector(String op, String what, Node v, int n) {
        if (v != null && (v.rank() != 1 || v.dim(0) != n)) {
            throw bad(op, what + " " + str(v.shape()) + " is not (" + n + ")");
        }
    }

    static int[] withLast(int[] s, int last) {
        int[] o = s.clone();
        o[o.length - 1] = last;
        return o;
    }

    static int[] linear(int[] x, int[] w, Node bias) {
        rankAtLeast("linear", "input", x, 1);
        rank("linear", "weight", w, 2);
        if (w[1] != x[x.length - 1]) throw bad("linear", "input features " + x[x.length - 1] + " vs weight " + str(w));
        vector("linear", "bias", bias, w[0]);
        return withLast(x, w[0]);
    }

    /** a (B, M, K) x b (B or 1, K, N); rank-2 operands are a batch of one. */
    static int[] matmul(int[] a, int[] b) {
        int[] a3 = a.length == 2 ? new int[] {1, a[0], a[1]} : a, b3 = b.length == 2 ? new int[] {1, b[0], b[1]} : b;
        rank("matmul", "a", a3, 3);
        rank("matmul", "b", b3, 3);
        if (b3[1] != a3[2] || (b3[0] != a3[0] && b3[0] != 1)) throw bad("matmul", "shapes " + str(a) + " x " + str(b));
        return new int[] {a3[0], a3[1], b3[2]};
    }

    static int[] conv2d(int[] x, int[] w, Node bias, Conv2dParams p) {
        rank("conv2d", "input", x, 4);
        rank("conv2d", "weight", w, 4);
        int g = p.groups();
        if (x[1] != (long) w[1] * g || w[0] % g != 0 || w[2] < 1 || w[3] < 1) {
            throw bad("conv2d", "input channels " + x[1] + " do not match weight " + str(w) + " with groups " + g);
        }
        vector("conv2d", "bias", bias, w[0]);
        int oh = convOut(x[2], w[2], p.strideH(), p.padH(), p.dilationH());
        int ow = convOut(x[3], w[3], p.strideW(), p.padW(), p.dilationW());
        return new int[] {x[0], w[0], oh, ow};
    }

    /** torch's output size, in long so hostile padding cannot overflow. */
    private static int convOut(int in, int k, int stride, int pad, int dil) {
        long span = (long) dil * (k - 1) + 1;
        long o = ((long) in + 2L * pad - span) / stride + 1;
        if ((long) in + 2L * pad < span || o <= 0 || o > Integer.MAX_VALUE) {
            throw bad("conv2d", "output size " + o + " is empty or too large (input " + in + ", kernel " + k + ", stride "
                    + stride + ", padding " + pad + ", dilation " + dil + ")");
        }
        return (int) o;
    }

    static int[] convTranspose2d(int[] x, int[] w, Node bias, Conv2dParams p) {
        rank("conv_transpose2d", "input", x, 4);
        rank("conv_transpose2d", "weight", w, 4);
        int g = p.groups();
        if (w[0] != x[1] || x[1] % g != 0 || w[1] < 1 || w[2] < 1 || w[3] < 1) {
            throw bad("conv_transpose2d", "input channels " + x[1] + " do not match weight " + str(w) + " with groups " + g);
        }
        if (p.outputPadH() >= Math.max(p.strideH(), p.dilationH()) || p.outputPadW() >= Math.max(p.strideW(), p.dilationW())) {
            throw bad("conv_transpose2d", "output padding must be smaller than stride or dilation, got " + p);
        }
        int cout = Math.multiplyExact(w[1], g);
        vector("conv_transpose2d", "bias", bias, cout);
        return new int[] {x[0], cout, transposedOut(x[2], w[2], p.strideH(), p.padH(), p.dilationH(), p.outputPadH()),
                transposedOut(x[3], w[3], p.strideW(), p.padW(), p.dilationW(), p.outputPadW())};
    }

    private static int transposedOut(int in, int k, int stride, int pad, int dil, int outPad) {
        long o = (long) (in - 1) * stride - 2L * pad + (long) dil * (k - 1) + outPad + 1;
        if (o <= 0 || o > Integer.MAX_VALUE) throw bad("conv_transpose2d", "output size " + o + " is empty or too large");
        return (int) o;
    }

    static void gdn(int[] x, int[] beta, int[] gamma) {
        rank("gdn", "input", x, 4);
        int c = x[1];
        if (beta.length != 1 || beta[0] != c || gamma.length != 2 || gamma[0] != c || gamma[1] != c) {
            throw bad("gdn", "beta " + str(beta) + " / gamma " + str(gamma) + " do not match " + c + " channels");
        }
        if ((long) x[2] * x[3] > Integer.MAX_VALUE) throw bad("gdn", "plane of " + (long) x[2] * x[3] + " pixels is too large");
    }

    static void groupNorm(int[] x, int groups, Node weight, Node bias, float eps) {
        rankAtLeast("group_norm", "input", x, 2);
        if (groups < 1 || x[1] % groups != 0) throw bad("group_norm", x[1] + " channels do not split into " + groups + " groups");
        vector("group_norm", "weight", weight, x[1]);
        vector("group_norm", "bias", bias, x[1]);
        if (!(eps >= 0)) throw bad("group_norm", "eps " + eps);
    }

    static void layerNorm(int[] x, Node weight, Node bias, float eps) {
        rankAtLeast("layer_norm", "input", x, 1);
        vector("layer_norm", "weight", weight, x[x.length - 1]);
        vector("layer_norm", "bias", bias, x[x.length - 1]);
        if (!(eps >= 0)) throw bad("layer_norm", "eps " + eps);
    }

    static int[] attention(int[] q, int[] k, int[] v, int heads, float scale) {
        rank("attention", "q", q, 3);
        rank("attention", "k", k, 3);
        rank("attention", "v", v, 3);
        if (k[0] != q[0] || v[0] != q[0] || k[2] != q[2] || v[1] != k[1]) {
            throw bad("attention", "q " + str(q) + ", k " + str(k) + ", v " + str(v) + " do not fit (B,T,C), (B,S,C), (B,S,Cv)");
        }
        if (heads < 1 || q[2] % heads != 0 || v[2] % heads != 0) {
            throw bad("attention", "widths " + q[2] + "/" + v[2] + " are not divisible into " + heads + " heads");
        }
        if (k[1] == 0) throw bad("attention", "zero keys");
        if (!(scale > 0) || Float.isInfinite(scale)) throw bad("attention", "scale " + scale);
        return new int[] {q[0], q[1], v[2]};
    }

    static void sameShape(String op, int[] a, int[] b) {
        if (!Arrays.equals(a, b)) throw bad(op, "shapes " + str(a) + " and " + str(b) + " differ");
    }

    static void perChannel(int[] x, int[] bias) {
        rankAtLeast("add_per_channel", "input", x, 2);
        boolean ok = bias.length == 1 && bias[0] == x[1] || bias.length == 2 && bias[0] == x[0] && bias[1] == x[1];
        if (!ok) throw bad("add_per_channel", "bias " + str(bias) + " is neither (C) nor (B, C) for x " + str(x));
    }

    static int[] geglu(int[] x) {
        rankAtLeast("geglu", "input", x, 1);
        int w = x[x.length - 1];
        if (w % 2 != 0) throw bad("geglu", "last dim " + w + " is odd");
        return withLast(x, w / 2);
    }

    static int[] resample(String op, int[] x, int outH, int outW) {
        rank(op, "input", x, 4);
        if (x[2] == 0 || x[3] == 0) throw bad(op, "empty input " + str(x));
        Shapes.requireResampleSize(op, outH, outW);
        return new int[] {x[0], x[1], outH, outW};
    }

    static int[] pixelShuffle(int[] x, int r) {
        rank("pixel_shuffle", "input", x, 4);
        long r2 = (long) r * r;
        if (r < 1 || r2 > x[1] || x[1] % r2 != 0) throw bad("pixel_shuffle", x[1] + " channels do not split by r^2 for r = " + r);
        return new int[] {x[0], (int) (x[1] / r2), Math.multiplyExact(x[2], r), Math.multiplyExact(x[3], r)};
    }

    static int concatDim(int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw bad("concat", "dim " + dim + " out of range for rank " + rank);
        return d;
    }

    static int[] concat(int d, Node[] xs) {
        if (xs.length == 0) throw bad("concat", "no inputs");
        int[] os = xs[0].shape();
        long total = 0;
        for (Node t : xs) {
            int[] s = t.shape();
            boolean fits = s.length == os.length;
            for (int i = 0; fits && i < os.length; i++) fits = i == d || s[i] == os[i];
            if (!fits) throw bad("concat", "along " + d + ": " + str(s) + " does not fit " + str(os));
            total += s[d];
        }
        if (total > Integer.MAX_VALUE) throw bad("concat", "dimension too large");
        os[d] = (int) total;
        return os;
    }

    static int[] transpose(int[] x) {
        rankAtLeast("transpose", "input", x, 2);
        int[] o = x.clone();
        o[x.length - 2] = x[x.length - 1];
        o[x.length - 1] = x[x.length - 2];
        return o;
    }

    static int[] reshape(int[] x, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw bad("reshape", "two -1 in " + str(newShape));
                infer = i;
            } else {
                if (s[i] < 0) throw bad("reshape", "negative dimension in " + str(newShape));
                known *= s[i];
            }
        }
        long n = Shapes.numel(x);
        if (infer >= 0) s[infer] = (int) (n / Math.max(known, 1));
        if (Shapes.numel(s) != n) throw bad("reshape", "cannot reshape " + str(x) + " to " + str(newShape));
        return s;
    }

    static int sliceDim(int[] x, int dim, int start, int end) {
        int d = dim < 0 ? dim + x.length : dim;
        if (d < 0 || d >= x.length) throw bad("slice", "dim " + dim + " out of range for " + str(x));
        if (start < 0 || end > x[d] || start > end) throw bad("slice", "[" + start + ", " + end + ") of dim " + d + " size " + x[d]);
        return d;
    }

    /** Whether [start, end) along d is one contiguous run of the row-major source. */
    static boolean contiguousSlice(int[] x, int d) {
        for (int i = 0; i < d; i++) if (x[i] != 1) return false;
        return true;
    }
}
