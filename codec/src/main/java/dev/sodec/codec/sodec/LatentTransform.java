package dev.sodec.codec.sodec;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.ConvTranspose2d;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;

/**
 * SODEC's Hs and Ts: the diffusion latent y_t from the two decoded latents.
 * <pre>
 * Hs (keys hs.0, hs.2; hs.1 LReLU): w = deconv5/s2(LReLU(deconv5/s2(z_hat)))   N -> N -> N, /64 -> /16
 * Ts (keys ts.0, ts.2, ts.4): y_t = conv3(PixelShuffle2(conv3(LReLU(conv3(cat(y_hat, w))))))
 *                             M+N -> C -> 4 Cl -> (shuffle) Cl -> latent channels,  /16 -> /8
 * </pre>
 */
public final class LatentTransform {
    static final float LEAKY_SLOPE = 0.01f;
    private static final Conv2dParams UP = Conv2dParams.transposed(2, 2, 1);
    private static final Conv2dParams SAME3 = Conv2dParams.of(1, 1);

    private final ConvTranspose2d hs0, hs2;
    private final Conv2d ts0, ts2, ts4;

    private LatentTransform(ConvTranspose2d hs0, ConvTranspose2d hs2, Conv2d ts0, Conv2d ts2, Conv2d ts4) {
        this.hs0 = hs0;
        this.hs2 = hs2;
        this.ts0 = ts0;
        this.ts2 = ts2;
        this.ts4 = ts4;
    }

    /**
     * @param sd unscoped model weights (keys hs.* and ts.*)
     * @param n z channels (N), also the channels of w
     * @param m y channels (M)
     * @param c Ts hidden channels (C)
     * @param cl Ts channels after PixelShuffle (Cl)
     * @param latent UNet input channels
     */
    public static LatentTransform load(StateDict sd, int n, int m, int c, int cl, int latent) {
        return new LatentTransform(
                ConvTranspose2d.load(sd.scope("hs.0"), n, n, 5, UP),
                ConvTranspose2d.load(sd.scope("hs.2"), n, n, 5, UP),
                Conv2d.load(sd.scope("ts.0"), m + n, c, 3, SAME3),
                Conv2d.load(sd.scope("ts.2"), c, Math.multiplyExact(4, cl), 3, SAME3),
                Conv2d.load(sd.scope("ts.4"), cl, latent, 3, SAME3));
    }

    /** w = Hs(z_hat). */
    public Node hs(Graph g, Node zHat) {
        Node t = g.leakyRelu(hs0.forward(g, zHat), LEAKY_SLOPE);
        return hs2.forward(g, t);
    }

    /** y_t = Ts(y_hat, w); y_hat and w share their spatial size. */
    public Node ts(Graph g, Node yHat, Node w) {
        if (yHat.rank() != 4 || w.rank() != 4 || yHat.dim(2) != w.dim(2) || yHat.dim(3) != w.dim(3)) {
            throw new IllegalArgumentException("Ts: y_hat and w must share their spatial size");
        }
        Node t = ts0.forward(g, g.concat(1, yHat, w));
        t = ts2.forward(g, g.leakyRelu(t, LEAKY_SLOPE));
        return ts4.forward(g, g.pixelShuffle(t, 2));
    }
}
