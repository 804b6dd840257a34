package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** The pure-Java backend: F32, multithreaded, Vector API inner loops. Also the test oracle for other backends. */
public final class CpuBackend implements Backend {
    private final Parallel par;

    public CpuBackend(int threads) {
        this.par = new Parallel(threads);
    }

    /** All available cores. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public String name() { return "cpu"; }

    @Override
    public int threads() { return par.threads(); }

    public Parallel parallel() { return par; }

    private static Tensor f32(Tensor t) {
        return t == null ? null : t.toF32();
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        x = f32(x);
        weight = f32(weight);
        bias = f32(bias);
        int in = x.dim(-1);
        int out = weight.dim(0);
        if (weight.dim(1) != in) {
            throw new IllegalArgumentException("linear: input features " + in + " vs weight " + Arrays.toString(weight.shape()));
        }
        int rows = (int) (x.numel() / Math.max(in, 1));
        int[] os = x.shape();
        os[os.length - 1] = out;
        Tensor y = Tensor.zeros(os);
        MemorySegment yd = y.data();
        if (bias != null) {
            MemorySegment bd = bias.data();
            for (int r = 0; r < rows; r++) MemorySegment.copy(bd, 0, yd, (long) r * out * 4, (long) out * 4);
        }
        CpuGemm.sgemm(par, rows, out, in, x.data(), 0, in, false, weight.data(), 0, in, true, yd, 0, out, bias != null);
        return y;
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        a = f32(a);
        b = f32(b);
        if (a.rank() == 2) a = a.reshape(1, a.dim(0), a.dim(1));
        if (b.rank() == 2) b = b.reshape(1, b.dim(0), b.dim(1));
        int batch = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(1) != k || (b.dim(0) != batch && b.dim(0) != 1)) {
            throw new IllegalArgumentException("matmul shapes " + a + " x " + b);
        }
        Tensor c = Tensor.zeros(batch, m, n);
        for (int i = 0; i < batch; i++) {
            long bOff = b.dim(0) == 1 ? 0 : (long) i * k * n;
            CpuGemm.sgemm(par, m, n, k, a.data(), (long) i * m * k, k, false, b.data(), bOff, n, false,
                    c.data(), (long) i * m * n, n, false);
        }
        return c;
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Shapes.requireRank("conv2d", x.shape(), 4);
        return CpuConv.conv2d(par, f32(x), f32(weight), f32(bias), p);
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Shapes.requireRank("conv_transpose2d", x.shape(), 4);
        return CpuConv.convTranspose2d(par, f32(x), f32(weight), f32(bias), p);
    }

    @Override
    public Tensor gdn(Tensor x, Tensor beta, Tensor gamma, boolean inverse) {
        x = f32(x);
        Shapes.requireRank("gdn", x.shape(), 4);
        return CpuGdn.gdn(par, x, f32(beta), f32(gamma), inverse);
    }

    @Override
    public Tensor leakyRelu(Tensor x, float negativeSlope) {
        return CpuElementwise.leakyRelu(par, f32(x), negativeSlope);
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu) {
        return CpuNorm.groupNorm(par, f32(x), groups, f32(weight), f32(bias), eps, fuseSilu);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        return CpuNorm.layerNorm(par, f32(x), f32(weight), f32(bias), eps);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale) {
        return CpuAttention.attention(par, f32(q), f32(k), f32(v), heads, scale);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return CpuNorm.softmax(par, f32(x));
    }

    @Override
    public Tensor geluErf(Tensor x) {
        return CpuElementwise.unary(par, f32(x), CpuElementwise.Unary.GELU_ERF);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return CpuElementwise.unary(par, f32(x), CpuElementwise.Unary.GELU_TANH);
    }

    @Override
    public Tensor silu(Tensor x) {
        return CpuElementwise.unary(par, f32(x), CpuElementwise.Unary.SILU);
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return CpuElementwise.unary(par, f32(x), CpuElementwise.Unary.QUICK_GELU);
    }

    @Override
    public Tensor geglu(Tensor x) {
        return CpuElementwise.geglu(par, f32(x));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return CpuElementwise.binary(par, f32(a), f32(b), false, "add");
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return CpuElementwise.binary(par, f32(a), f32(b), true, "mul");
    }

    @Override
    public Tensor addPerChannel(Tensor x, Tensor bias) {
        return CpuElementwise.addPerChannel(par, f32(x), f32(bias));
    }

    @Override
    public Tensor scale(Tensor x, float mul, float add) {
        return CpuElementwise.scale(par, f32(x), mul, add);
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        return CpuElementwise.clamp(par, f32(x), lo, hi);
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return CpuResample.upsampleNearest(par, f32(x), outH, outW);
    }

    @Override
    public Tensor resizeBilinear(Tensor x, int outH, int outW) {
        return CpuResample.resizeBilinear(par, f32(x), outH, outW);
    }

    @Override
    public Tensor pixelShuffle(Tensor x, int r) {
        return CpuResample.pixelShuffle(par, f32(x), r);
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        Tensor[] f = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) f[i] = f32(xs[i]);
        return CpuLayout.concat(par, dim, f);
    }

    @Override
    public Tensor transpose(Tensor x) {
        return CpuLayout.transpose(par, f32(x));
    }

    @Override
    public void close() {
        par.close();
    }
}
