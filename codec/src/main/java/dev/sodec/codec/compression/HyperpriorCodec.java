package dev.sodec.codec.compression;

import dev.sodec.codec.entropy.EntropyBottleneck;
import dev.sodec.codec.entropy.GaussianConditional;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.GraphCache;
import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * compress / decompress of CompressAI's hyperprior models on tensors whose sides are multiples of 64: the
 * networks plus the {@code entropy_bottleneck} (z) and {@code gaussian_conditional} (y) entropy models.
 * The transforms run as planned graphs, compiled once per backend and image size. Safe to call from many threads.
 */
public final class HyperpriorCodec implements AutoCloseable {
    private static final String[] X = {"x"}, Y_HAT = {"y_hat"};

    private final HyperpriorNetworks nets;
    private final EntropyBottleneck bottleneck;
    private final GaussianConditional conditional;
    private final GraphCache graphs = new GraphCache();

    private HyperpriorCodec(HyperpriorNetworks nets, EntropyBottleneck bottleneck, GaussianConditional conditional) {
        this.nets = nets;
        this.bottleneck = bottleneck;
        this.conditional = conditional;
    }

    /** From an unscoped state dict in CompressAI naming; the caller checks that every key was consumed. */
    public static HyperpriorCodec load(StateDict sd, CompressionConfig config) {
        HyperpriorNetworks nets = HyperpriorNetworks.load(sd, config);
        EntropyBottleneck eb = EntropyBottleneck.load(sd.scope("entropy_bottleneck"));
        if (eb.channels() != config.N()) {
            throw new MissingWeightException("entropy_bottleneck has " + eb.channels() + " channels, the model N = " + config.N());
        }
        GaussianConditional gc = GaussianConditional.load(sd.scope("gaussian_conditional"));
        if (!gc.hasTables()) throw new MissingWeightException("gaussian_conditional has neither a scale table nor CDF tables");
        return new HyperpriorCodec(nets, eb, gc);
    }

    public CompressionConfig config() { return nets.config; }

    /** The transforms (for stage-by-stage timing; decompress is entropy decoding then {@code networks().synthesis}). */
    public HyperpriorNetworks networks() { return nets; }

    /** The z entropy model. */
    public EntropyBottleneck bottleneck() { return bottleneck; }

    /** The y entropy model. */
    public GaussianConditional conditional() { return conditional; }

    /** Everything the encoder computes (the golden case compares each). */
    public record Encoded(Tensor y, Tensor z, Tensor zSymbols, byte[] zString, Tensor zHat, Tensor scales, Tensor means,
                          Tensor yIndexes, Tensor ySymbols, byte[] yString) {}

    /** Everything the decoder computes. */
    public record Decoded(Tensor zHat, Tensor scales, Tensor means, Tensor yIndexes, Tensor yHat, Tensor xHat) {}

    /** @param par threads for the fixed-order h_s (any count gives the same bits) */
    public Encoded compress(Backend b, Parallel par, Tensor x) {
        int mult = nets.config.sizeMultiple();
        if (x.rank() != 4 || x.dim(0) != 1 || x.dim(1) != 3 || x.dim(2) % mult != 0 || x.dim(3) % mult != 0) {
            throw new IllegalArgumentException("compress expects (1, 3, H, W) with H, W multiples of " + mult + ", got " + Arrays.toString(x.shape()));
        }
        Tensor[] yz = graphs.run(b, "analysis", X, new Tensor[] {x}, (g, in) -> {
            var y = g.output("y", nets.analysis(g, in[0]));
            g.output("z", nets.hyperAnalysis(g, y));
        });
        Tensor y = yz[0], z = yz[1];
        byte[] zString = bottleneck.compress(z)[0];
        // the encoder continues from the decoder's z_hat, so both sides choose CDFs from the same bits
        Tensor zHat = bottleneck.decompress(new byte[][] {zString}, z.dim(2), z.dim(3));
        HyperpriorNetworks.HyperOutput hs = nets.hyperSynthesis(par, zHat);
        Tensor idx = conditional.buildIndexes(hs.scales());
        byte[] yString = conditional.compress(y, idx, hs.means())[0];
        return new Encoded(y, z, bottleneck.symbols(z), zString, zHat, hs.scales(), hs.means(), idx,
                conditional.symbols(y, hs.means()), yString);
    }

    /** Decodes the two strings for a z latent of zh x zw (image sides / 64). */
    public Decoded decompress(Backend b, Parallel par, byte[] yString, byte[] zString, int zh, int zw) {
        Latents l = entropyDecode(par, yString, zString, zh, zw);
        return new Decoded(l.zHat(), l.scales(), l.means(), l.yIndexes(), l.yHat(), synthesize(b, l.yHat()));
    }

    /** x_hat = clamp(g_s(y_hat), 0, 1) on {@code b}. */
    public Tensor synthesize(Backend b, Tensor yHat) {
        return graphs.run(b, "synthesis", Y_HAT, new Tensor[] {yHat}, (g, in) -> g.output("x_hat", nets.synthesis(g, in[0])))[0];
    }

    /** What entropy decoding gives before any network runs on a backend. */
    public record Latents(Tensor zHat, Tensor scales, Tensor means, Tensor yIndexes, Tensor yHat) {}

    /** z_hat, then h_s on the fixed-order host path, then y_hat from the Gaussian conditional. */
    public Latents entropyDecode(Parallel par, byte[] yString, byte[] zString, int zh, int zw) {
        Tensor zHat = bottleneck.decompress(new byte[][] {zString}, zh, zw);
        HyperpriorNetworks.HyperOutput hs = nets.hyperSynthesis(par, zHat);
        Tensor idx = conditional.buildIndexes(hs.scales());
        Tensor yHat = conditional.decompress(new byte[][] {yString}, idx, hs.means());
        return new Latents(zHat, hs.scales(), hs.means(), idx, yHat);
    }

    /** The compiled transforms this codec holds (for stats). */
    public GraphCache graphs() {
        return graphs;
    }

    /** Frees the compiled transforms of {@code b} (before {@code b} closes). */
    public void release(Backend b) {
        graphs.forget(b);
    }

    @Override
    public void close() {
        graphs.close();
    }
}
