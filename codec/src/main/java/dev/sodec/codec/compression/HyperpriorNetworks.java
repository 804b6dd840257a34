package dev.sodec.codec.compression;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.ConvTranspose2d;
import dev.sodec.engine.nn.GDN;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * The four transforms of CompressAI's ScaleHyperprior / MeanScaleHyperprior, loaded by their state-dict keys
 * ({@code g_a.0.weight}, {@code g_a.1.beta}, ...). conv = Conv2d(k5, s2, p2); deconv = ConvTranspose2d(k5, s2,
 * p2, output_padding 1); h_a starts with conv(k3, s1, p1), h_s ends with one.
 *
 * <pre>
 * g_a: conv(3,N) GDN conv(N,N) GDN conv(N,N) GDN conv(N,M)
 * g_s: deconv(M,N) IGDN deconv(N,N) IGDN deconv(N,N) IGDN deconv(N,3)
 * mbt2018-mean:          h_a: conv3(M,N) LReLU conv(N,N) LReLU conv(N,N)
 *                        h_s: deconv(N,M) LReLU deconv(M,3M/2) LReLU conv3(3M/2,2M)   -> scales, means
 * bmshj2018-hyperprior:  h_a: |y| conv3(M,N) ReLU conv(N,N) ReLU conv(N,N)
 *                        h_s: deconv(N,N) ReLU deconv(N,N) ReLU conv3(N,M) ReLU        -> scales
 * </pre>
 * g_a, h_a and g_s are recorded into graphs that run on a backend; h_s runs on the host through
 * {@link FixedOrderConv} because it selects the CDFs and must give the same bits everywhere.
 */
public final class HyperpriorNetworks {
    /** torch.nn.LeakyReLU default. */
    static final float LEAKY_SLOPE = 0.01f;

    private static final Conv2dParams DOWN = Conv2dParams.of(2, 2);
    private static final Conv2dParams SAME3 = Conv2dParams.of(1, 1);
    private static final Conv2dParams UP = Conv2dParams.transposed(2, 2, 1);

    public final CompressionConfig config;
    private final Conv2d[] gaConv = new Conv2d[4];
    private final GDN[] gaGdn = new GDN[3];
    private final ConvTranspose2d[] gsDeconv = new ConvTranspose2d[4];
    private final GDN[] gsIgdn = new GDN[3];
    private final Conv2d[] haConv = new Conv2d[3];
    private final ConvTranspose2d[] hsDeconv = new ConvTranspose2d[2];
    private final Conv2d hsConv;

    private HyperpriorNetworks(CompressionConfig config, StateDict sd) {
        this.config = config;
        int n = config.N(), m = config.M();
        int[] gaIn = {3, n, n, n}, gaOut = {n, n, n, m};
        for (int i = 0; i < 4; i++) {
            gaConv[i] = Conv2d.load(sd.scope("g_a." + 2 * i), gaIn[i], gaOut[i], 5, DOWN);
            if (i < 3) gaGdn[i] = GDN.load(sd.scope("g_a." + (2 * i + 1)), n, false);
        }
        int[] gsIn = {m, n, n, n}, gsOut = {n, n, n, 3};
        for (int i = 0; i < 4; i++) {
            gsDeconv[i] = ConvTranspose2d.load(sd.scope("g_s." + 2 * i), gsIn[i], gsOut[i], 5, UP);
            if (i < 3) gsIgdn[i] = GDN.load(sd.scope("g_s." + (2 * i + 1)), n, true);
        }
        haConv[0] = Conv2d.load(sd.scope("h_a.0"), m, n, 3, SAME3);
        haConv[1] = Conv2d.load(sd.scope("h_a.2"), n, n, 5, DOWN);
        haConv[2] = Conv2d.load(sd.scope("h_a.4"), n, n, 5, DOWN);
        if (config.architecture().hasMeans()) {
            hsDeconv[0] = ConvTranspose2d.load(sd.scope("h_s.0"), n, m, 5, UP);
            hsDeconv[1] = ConvTranspose2d.load(sd.scope("h_s.2"), m, m * 3 / 2, 5, UP);
            hsConv = Conv2d.load(sd.scope("h_s.4"), m * 3 / 2, 2 * m, 3, SAME3);
        } else {
            hsDeconv[0] = ConvTranspose2d.load(sd.scope("h_s.0"), n, n, 5, UP);
            hsDeconv[1] = ConvTranspose2d.load(sd.scope("h_s.2"), n, n, 5, UP);
            hsConv = Conv2d.load(sd.scope("h_s.4"), n, m, 3, SAME3);
        }
    }

    /** Loads every transform from {@code sd} (unscoped, CompressAI keys); entropy-model keys are left to others. */
    public static HyperpriorNetworks load(StateDict sd, CompressionConfig config) {
        return new HyperpriorNetworks(config, sd);
    }

    /** y = g_a(x), x (1, 3, H, W) with H, W multiples of 16. */
    public Node analysis(Graph g, Node x) {
        Node t = x;
        for (int i = 0; i < 4; i++) {
            t = gaConv[i].forward(g, t);
            if (i < 3) t = gaGdn[i].forward(g, t);
        }
        return t;
    }

    /** z = h_a(y) (mbt2018-mean) or h_a(|y|) (bmshj2018-hyperprior). */
    public Node hyperAnalysis(Graph g, Node y) {
        boolean mean = config.architecture().hasMeans();
        Node t = mean ? y : g.abs(y);
        float slope = mean ? LEAKY_SLOPE : 0f;
        for (int i = 0; i < 3; i++) {
            t = haConv[i].forward(g, t);
            if (i < 2) t = g.leakyRelu(t, slope);
        }
        return t;
    }

    /** The entropy parameters predicted from z_hat: scales and (mbt2018-mean only, else null) means. */
    public record HyperOutput(Tensor scales, Tensor means) {}

    /** h_s(z_hat) on the fixed-order path; identical bits for any thread count. */
    public HyperOutput hyperSynthesis(Parallel par, Tensor zHat) {
        boolean mean = config.architecture().hasMeans();
        float slope = mean ? LEAKY_SLOPE : 0f;
        FixedOrderConv.Map3 t = FixedOrderConv.Map3.of(zHat);
        for (int i = 0; i < 2; i++) {
            t = FixedOrderConv.convTranspose2d(par, t, hsDeconv[i].weight, hsDeconv[i].bias, UP);
            t = FixedOrderConv.leakyRelu(t, slope);
        }
        t = FixedOrderConv.conv2d(par, t, hsConv.weight, hsConv.bias, SAME3);
        if (!mean) return new HyperOutput(FixedOrderConv.leakyRelu(t, 0f).toTensor(), null);
        Tensor out = t.toTensor();
        int m = config.M();
        // chunk(2, dim=1): the first M channels are scales, the rest means
        return new HyperOutput(out.slice(1, 0, m).contiguous(), out.slice(1, m, 2 * m).contiguous());
    }

    /** x_hat = clamp(g_s(y_hat), 0, 1) (a NaN stays NaN here; pixel conversion maps it to 0). */
    public Node synthesis(Graph g, Node yHat) {
        Node t = yHat;
        for (int i = 0; i < 4; i++) {
            t = gsDeconv[i].forward(g, t);
            if (i < 3) t = gsIgdn[i].forward(g, t);
        }
        return g.clamp(t, 0f, 1f);
    }
}
