package dev.sodec.codec.bench;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.sodec.GenerativeDecoder;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.backend.Transfers;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.GraphCache;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.NodeTimer;
import dev.sodec.engine.graph.Profile;
import dev.sodec.engine.memory.ProcessMemory;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times encode and decode stage by stage, the rows of the SODEC paper's latency table: {@code encode} (g_a, h_a and
 * both entropy coders), then the decoder's {@code entropy} (z, h_s, y) and its network stages {@code g_s},
 * {@code hs_ts} (SODEC model files), {@code vit} (resize, CLIP normalization, the tower to its penultimate layer),
 * {@code unet} (one call at t = 999 and the x0 step) and {@code vae} (decode and the map to [0, 1]), and
 * {@code decode}, measured around the whole decoder. The networks run as one planned graph per decode, as the codec
 * runs them; the stage rows are the summed times of that graph's nodes by stage (wall time per node on the CPU,
 * device events around each node on CUDA), so they add up to the graph's share of {@code decode}.
 *
 * <p>A random model ({@link RandomModel}) has no Hs/Ts or guidance projection: its UNet input is a fixed random
 * latent of the right size and the ViT tokens go to cross-attention directly (same width). Work per stage is
 * otherwise that of the real decoder.
 */
public final class PipelineBench implements AutoCloseable {
    /** float32 constants of the DDPM scaled-linear schedule at t = 999 (see FORMAT.md, SODEC). */
    static final float C0 = 0.06826489418745041f, C1 = 0.9976672530174255f;
    static final float VAE_SCALE = 0.18215f;
    static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final String[] RANDOM_INPUTS = {"y_hat", "y_t"}, GS_INPUTS = {"y_hat"};

    /** One row: every run's milliseconds. */
    public record Stage(String name, double[] ms) {
        public double median() { return Stats.median(ms); }
        public double min() { return Stats.min(ms); }
        public double max() { return Stats.max(ms); }
    }

    /** What one timed decode moved between host and device, and the plan it ran. */
    public record RunInfo(Transfers transfers, int nodes, long arenaBytes) {}

    /**
     * @param bytes container size of the coded image
     * @param peakRssBytes the process's resident high-water mark (VmHWM), weights included; -1 where unknown
     */
    public record Result(String model, long parameters, int width, int height, String backend, int threads, int warmup,
                         int runs, long bytes, double bpp, long peakRssBytes, List<Stage> stages, List<RunInfo> decodes) {}

    private final CompressionModel compression;
    private final RandomModel random;       // null: compression only, or a SODEC model file
    private final GenerativeDecoder sodec;  // a full SODEC model file
    private final GraphCache graphs = new GraphCache();
    private final Tensor clipScale, clipShift;
    private Profile profile; // null: not profiling

    public PipelineBench(CompressionModel compression, RandomModel random) {
        this(compression, random, null);
    }

    private PipelineBench(CompressionModel compression, RandomModel random, GenerativeDecoder sodec) {
        this.compression = compression;
        this.random = random;
        this.sodec = sodec;
        float[] scale = new float[3], shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / CLIP_STD[c];
            shift[c] = -CLIP_MEAN[c] / CLIP_STD[c];
        }
        this.clipScale = Tensor.fromFloats(scale, 3, 1, 1, 1);
        this.clipShift = Tensor.fromFloats(shift, 3);
    }

    /** A full SODEC model file: its whole decode graph (g_s, Hs/Ts, ViT, Fp, UNet, x0, VAE) as the codec runs it. */
    public static PipelineBench of(SodecModel m) {
        return new PipelineBench(m.compression(), null, m.decoder());
    }

    public static PipelineBench of(RandomModel m) {
        return new PipelineBench(m.compression, m);
    }

    /** Adds every node's time (warm-up runs excluded) to {@code p} by op type. */
    public PipelineBench profiled(Profile p) {
        this.profile = p;
        return this;
    }

    /** @param x (1, 3, H, W) in [0, 1], H and W multiples of the compression model's size multiple */
    public Result run(Backend b, Tensor x, int warmup, int runs, String modelName, long parameters) {
        if (runs < 1) throw new IllegalArgumentException("runs must be >= 1");
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0");
        Map<String, double[]> ms = new LinkedHashMap<>();
        List<RunInfo> infos = new ArrayList<>();
        long bytes = 0;
        try (Parallel par = new Parallel(b.threads())) {
            Tensor latent = random == null ? null : latentFor(x);
            for (int i = -warmup; i < runs; i++) {
                Map<String, Double> one = new LinkedHashMap<>();
                RunInfo[] info = new RunInfo[1];
                bytes = once(b, par, x, latent, one, info, i >= 0 ? profile : null);
                if (i < 0) continue;
                infos.add(info[0]);
                for (Map.Entry<String, Double> e : one.entrySet()) {
                    ms.computeIfAbsent(e.getKey(), k -> new double[runs])[i] = e.getValue();
                }
            }
        } finally {
            graphs.forget(b);
            compression.codec().release(b);
            if (sodec != null) sodec.release(b);
        }
        List<Stage> stages = new ArrayList<>();
        ms.forEach((k, v) -> stages.add(new Stage(k, v)));
        int h = x.dim(2), w = x.dim(3);
        return new Result(modelName, parameters, w, h, b.name(), b.threads(), warmup, runs, bytes,
                bytes * 8.0 / ((long) w * h), ProcessMemory.peakRssBytes(), stages, infos);
    }

    /** Per-stage sums of node times, forwarded to the op profile when there is one. */
    static final class StageTimer implements NodeTimer {
        final Map<String, Long> nanos = new LinkedHashMap<>();
        final Profile profile;

        StageTimer(Profile profile) {
            this.profile = profile;
        }

        @Override
        public void record(Node node, long ns) {
            nanos.merge(node.stage() == null ? "other" : node.stage(), ns, Long::sum);
            if (profile != null) profile.record(node, ns);
        }
    }

    private long once(Backend b, Parallel par, Tensor x, Tensor latent, Map<String, Double> out, RunInfo[] info, Profile p) {
        HyperpriorCodec codec = compression.codec();
        long t0 = System.nanoTime();
        HyperpriorCodec.Encoded e = codec.compress(b, par, x);
        long t1 = System.nanoTime();
        out.put("encode", ms(t0, t1));
        int h = x.dim(2), w = x.dim(3), mult = codec.config().sizeMultiple();
        byte[] container = new Container(codec.config().architecture().code, compression.modelId(), w, h, 0, 0, 0, 0,
                List.of(e.yString(), e.zString())).encode();

        long d0 = System.nanoTime();
        HyperpriorCodec.Latents l = codec.entropyDecode(par, e.yString(), e.zString(), h / mult, w / mult);
        long d1 = System.nanoTime();
        out.put("entropy", ms(d0, d1));
        Tensor[] inputs;
        Executable ex;
        if (sodec != null) {
            inputs = new Tensor[] {l.yHat(), l.zHat()};
            ex = sodec.executable(b, l.yHat(), l.zHat());
        } else if (random != null) {
            inputs = new Tensor[] {l.yHat(), latent};
            ex = graphs.executable(b, "random-decode", RANDOM_INPUTS, inputs, (g, in) -> recordRandom(g, in[0], in[1]));
        } else {
            inputs = new Tensor[] {l.yHat()};
            ex = graphs.executable(b, "g_s", GS_INPUTS, inputs, (g, in) -> {
                g.stage("g_s");
                g.output("x_hat", codec.networks().synthesis(g, in[0]));
            });
        }
        StageTimer timer = new StageTimer(p);
        Transfers before = b.transfers();
        Tensor result = ex.run(timer, inputs)[0];
        long dEnd = System.nanoTime();
        info[0] = new RunInfo(b.transfers().minus(before), ex.nodes(), ex.arenaBytes());
        timer.nanos.forEach((stage, ns) -> out.put(stage, ns / 1e6));
        out.put("decode", ms(d0, dEnd));
        if (result.numel() != 3L * h * w) throw new IllegalStateException("decoded " + result + " for a " + w + "x" + h + " image");
        return container.length;
    }

    /** The random model's decode: g_s, ViT guidance, UNet at t = 999 with the x0 step, VAE and the map to [0, 1]. */
    private void recordRandom(Graph g, Node yHat, Node yT) {
        g.stage("g_s");
        Node xF = compression.codec().networks().synthesis(g, yHat);
        g.stage("vit");
        int s = random.vitImageSize;
        Node px = g.conv2d(g.resizeBilinear(xF, s, s), g.constant(clipScale), g.constant(clipShift), Conv2dParams.of(1, 0, 1, 3));
        Node cg = random.vit.hiddenState(g, px, -2);
        g.stage("unet");
        Node eps = random.unet.forward(g, yT, 999f, cg);
        Node y0 = g.scale(g.add(yT, g.scale(eps, -C1, 0f)), 1f / C0, 0f);   // (y_t - c1 eps) / c0
        g.stage("vae");
        Node img = random.vae.decode(g, g.scale(y0, 1f / VAE_SCALE, 0f));
        g.output("x_hat", g.clamp(g.scale(img, 0.5f, 0.5f), 0f, 1f));
        g.stage(null);
    }

    /** A fixed pseudo-random latent of the UNet's input size for the image (standing in for Ts's output). */
    private Tensor latentFor(Tensor x) {
        int f = random.vaeFactor;
        int lh = x.dim(2) / f, lw = x.dim(3) / f;
        return RandomWeights.random("latent", new int[] {1, 4, lh, lw}, 12345);
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }

    @Override
    public void close() {
        graphs.close();
    }

    /** A deterministic smooth test image (gradients and waves, codes to a realistic number of bytes). */
    public static Tensor syntheticImage(int width, int height) {
        float[] d = new float[3 * width * height];
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                double u = x / (double) width, v = y / (double) height;
                d[i] = (float) (0.5 + 0.4 * Math.sin(6.1 * u + 2.3 * v));
                d[plane + i] = (float) (0.5 + 0.4 * Math.cos(4.7 * v - 3.1 * u * v));
                d[2 * plane + i] = (float) (0.3 + 0.6 * u * v);
            }
        }
        return Tensor.fromFloats(d, 1, 3, height, width);
    }
}
