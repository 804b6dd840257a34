package dev.sodec.codec.compression;

import dev.sodec.codec.entropy.EntropyBottleneck;
import dev.sodec.codec.entropy.GaussianConditional;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.GraphCache;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * compress / decompress of CompressAI's hyperprior models on tensors whose sides are multiples of 64: the
 * networks plus the {@code entropy_bottleneck} (z) and {@code gaussian_conditional} (y) entropy models.
 * The transforms run as planned graphs, compiled once per backend and image size; {@link #compressTiled} and
 * {@link #synthesizeTiled} run g_a and g_s window by window ({@link Tiling}) so that their activations need memory
 * for one window, with the same results. Safe to call from many threads.
 */
public final class HyperpriorCodec implements AutoCloseable {
    private static final String[] X = {"x"}, Y = {"y"}, Y_HAT = {"y_hat"};

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

    /**
     * Everything the encoder computes (the golden case compares each); the tiled encoder ({@link #compressTiled})
     * keeps only y, z, z_hat and the strings (the rest null).
     */
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
        return encodeLatents(par, yz[0], yz[1]);
    }

    /** Supplies the coded image's pixels of one window: (1, 3, h, w) starting at row y0, column x0. */
    @FunctionalInterface
    public interface WindowSource {
        Tensor pixels(int y0, int x0, int h, int w);
    }

    /** Receives one tile of the decoded image: {@code tile} (1, 3, h, w) holds coded rows y0.., columns x0... */
    @FunctionalInterface
    public interface TileSink {
        void accept(int y0, int x0, Tensor tile);
    }

    /**
     * compress of a coded image of {@code height x width} (multiples of 64) read window by window from {@code src}:
     * g_a runs per {@link Tiling} window, so its activations need memory for one window only; h_a and the entropy
     * coding run on the whole latent (1/256 of the pixels per channel).
     */
    public Encoded compressTiled(Backend b, Parallel par, WindowSource src, int height, int width, Tiling tiling) {
        int mult = nets.config.sizeMultiple();
        if (height % mult != 0 || width % mult != 0) {
            throw new IllegalArgumentException("coded size " + width + "x" + height + " is not a multiple of " + mult);
        }
        int m = nets.config.M(), lh = height / 16, lw = width / 16;
        float[] y = new float[Math.multiplyExact(m, lh * lw)];
        for (Tiling.Span row : tiling.spans(height)) {
            for (Tiling.Span col : tiling.spans(width)) {
                Tensor x = src.pixels(row.windowStart(), col.windowStart(), row.window(), col.window());
                Tensor part = graphs.run(b, "analysis-window", X, new Tensor[] {x}, (g, in) -> g.output("y", nets.analysis(g, in[0])))[0];
                copyTile(part, row.windowStart() / 16, col.windowStart() / 16, y, lh, lw, row.outStart() / 16,
                        row.outEnd() / 16, col.outStart() / 16, col.outEnd() / 16);
            }
        }
        Tensor yAll = Tensor.fromFloats(y, 1, m, lh, lw);
        Tensor z = graphs.run(b, "hyper-analysis", Y, new Tensor[] {yAll}, (g, in) -> g.output("z", nets.hyperAnalysis(g, in[0])))[0];
        return encodeLatentsInBands(par, y, yAll, z, tiling.tile() / Tiling.MULTIPLE);
    }

    /** z rows of context around a band of h_s: its receptive field in z is under 2 rows (1/4 + 1/2 + 1). */
    private static final int HS_HALO = 3;

    /**
     * The entropy coding of {@link #encodeLatents} with h_s, the CDF indexes and the symbols computed for bands of
     * {@code bandRows} z rows (a tile's height; with {@link #HS_HALO} rows of context, cropped), so that only y and
     * one symbol and one index per value span the whole latent. h_s is fixed-order per output value, so the bands give the whole-image values and the
     * same string. The record keeps the latents and strings; its per-value entropy parameters are null.
     */
    private Encoded encodeLatentsInBands(Parallel par, float[] y, Tensor yTensor, Tensor z, int bandRows) {
        byte[] zString = bottleneck.compress(z)[0];
        int zh = z.dim(2), zw = z.dim(3);
        Tensor zHat = bottleneck.decompress(new byte[][] {zString}, zh, zw);
        int m = nets.config.M(), lh = yTensor.dim(2), lw = yTensor.dim(3);
        int[] symbols = new int[y.length], indexes = new int[y.length];
        for (int r0 = 0; r0 < zh; r0 += bandRows) {
            int r1 = Math.min(zh, r0 + bandRows), c0 = Math.max(0, r0 - HS_HALO), c1 = Math.min(zh, r1 + HS_HALO);
            Tensor band = zHat.slice(2, c0, c1).contiguous();
            HyperpriorNetworks.HyperOutput hs = nets.hyperSynthesis(par, band);
            float[] scales = hs.scales().toFloatArray(), means = hs.means() == null ? null : hs.means().toFloatArray();
            int height = (c1 - c0) * 4, first = (r0 - c0) * 4, rows = (r1 - r0) * 4;
            for (int c = 0; c < m; c++) {
                int at = (c * lh + r0 * 4) * lw, from = (c * height + first) * lw, n = rows * lw;
                conditional.buildIndexes(scales, from, n, indexes, at);
                conditional.symbols(y, at, means, from, n, symbols, at);
            }
        }
        byte[] yString = conditional.encode(symbols, indexes);
        return new Encoded(yTensor, z, null, zString, zHat, null, null, null, null, yString);
    }

    /** Copies rows [r0, r1) and columns [c0, c1) (whole-latent positions) of a window's latent into the whole one. */
    private static void copyTile(Tensor part, int winRow, int winCol, float[] dst, int lh, int lw, int r0, int r1, int c0, int c1) {
        float[] src = part.toFloatArray();
        int ch = part.dim(1), ph = part.dim(2), pw = part.dim(3);
        for (int c = 0; c < ch; c++) {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(src, (c * ph + r - winRow) * pw + c0 - winCol, dst, (c * lh + r) * lw + c0, c1 - c0);
            }
        }
    }

    /** The entropy coding of y and z = h_a(y). */
    private Encoded encodeLatents(Parallel par, Tensor y, Tensor z) {
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

    /**
     * x_hat = clamp(g_s(y_hat), 0, 1) window by window ({@link Tiling}): each tile of the coded image goes to
     * {@code sink} as soon as it is computed, so neither g_s's activations nor the decoded image need memory for the
     * whole image at once.
     */
    public void synthesizeTiled(Backend b, Tensor yHat, Tiling tiling, TileSink sink) {
        int lh = yHat.dim(2), lw = yHat.dim(3);
        for (Tiling.Span row : tiling.spans(lh * 16)) {
            for (Tiling.Span col : tiling.spans(lw * 16)) {
                Tensor window = yHat.slice(2, row.windowStart() / 16, (row.windowStart() + row.window()) / 16)
                        .slice(3, col.windowStart() / 16, (col.windowStart() + col.window()) / 16).contiguous();
                Tensor x = synthesize(b, window);
                Tensor kept = x.slice(2, row.outStart() - row.windowStart(), row.outEnd() - row.windowStart())
                        .slice(3, col.outStart() - col.windowStart(), col.outEnd() - col.windowStart()).contiguous();
                sink.accept(row.outStart(), col.outStart(), kept);
            }
        }
    }

    /**
     * Bytes of the activation arena g_s needs for a latent of {@code lh x lw}: what the memory estimate before a
     * decode adds up. Compiles a plan and allocates nothing (a plan's arena is allocated on its first run).
     */
    public long synthesisArenaBytes(Backend b, int lh, int lw) {
        return arenaBytes(b, "synthesis", new int[] {1, nets.config.M(), lh, lw}, (g, in) -> g.output("x_hat", nets.synthesis(g, in[0])));
    }

    /** Bytes of the activation arena g_a needs for a window of {@code h x w} pixels (allocates nothing). */
    public long analysisArenaBytes(Backend b, int h, int w) {
        return arenaBytes(b, "analysis", new int[] {1, 3, h, w}, (g, in) -> g.output("y", nets.analysis(g, in[0])));
    }

    /** Planned arena sizes by backend kind, network and input shape: planning once per size, not per call. */
    private final Map<String, Long> arenaSizes = new ConcurrentHashMap<>();

    private long arenaBytes(Backend b, String network, int[] inputShape, GraphCache.Builder builder) {
        if (arenaSizes.size() > 256) arenaSizes.clear(); // many image sizes: a bound, not an eviction policy
        return arenaSizes.computeIfAbsent(b.name() + " " + network + " " + Arrays.toString(inputShape), k -> {
            Graph g = new Graph();
            builder.build(g, new Node[] {g.input("x", inputShape)});
            try (Executable e = Executable.compile(b, g)) {
                return e.arenaBytes();
            }
        });
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
