package dev.sodec.codec.bench;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.compression.HyperpriorNetworks;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.sodec.GenerativeDecoder;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.memory.ProcessMemory;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times encode and decode stage by stage, the rows of the SODEC paper's latency table: {@code encode} (g_a, h_a and
 * both entropy coders), then the decoder's {@code entropy} (z, h_s, y), {@code g_s}, {@code vit} (resize to the ViT
 * input, CLIP normalization, the tower up to its penultimate layer), {@code unet} (one call at t = 999 and the
 * x0 step) and {@code vae} (decode and the map to [0, 1]), and {@code decode} = their sum as measured around the
 * whole decoder. A compression-only model has only {@code encode}, {@code entropy}, {@code g_s} and {@code decode}.
 *
 * <p>Not yet in the generative path here: the guidance projection (Linear + LayerNorm on the ViT tokens), Hs and Ts;
 * all three are small next to the UNet. The UNet input is a fixed random latent of the right size, and the ViT
 * tokens go to cross-attention directly (same width). Work per stage is otherwise that of the real decoder.
 */
public final class PipelineBench {
    /** float32 constants of the DDPM scaled-linear schedule at t = 999 (see FORMAT.md, SODEC). */
    static final float C0 = 0.06826489418745041f, C1 = 0.9976672530174255f;
    static final float VAE_SCALE = 0.18215f;
    static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** One row: every run's milliseconds. */
    public record Stage(String name, double[] ms) {
        public double median() { return Stats.median(ms); }
        public double min() { return Stats.min(ms); }
        public double max() { return Stats.max(ms); }
    }

    /**
     * @param bytes container size of the coded image
     * @param peakRssBytes the process's resident high-water mark (VmHWM), weights included; -1 where unknown
     */
    public record Result(String model, long parameters, int width, int height, String backend, int threads, int warmup,
                         int runs, long bytes, double bpp, long peakRssBytes, List<Stage> stages) {}

    private final CompressionModel compression;
    private final RandomModel generative; // null: compression only, or a SODEC model file's decoder below
    private final GenerativeDecoder sodec; // a full SODEC model file: its whole generative decoder is one row
    private OpProfile profile; // null: not profiling

    public PipelineBench(CompressionModel compression, RandomModel generative) {
        this(compression, generative, null);
    }

    private PipelineBench(CompressionModel compression, RandomModel generative, GenerativeDecoder sodec) {
        this.compression = compression;
        this.generative = generative;
        this.sodec = sodec;
    }

    /**
     * A full SODEC model file: rows {@code encode}, {@code entropy}, {@code g_s}, {@code generative} (Hs, Ts, ViT,
     * Fp, UNet, x0, VAE as the model runs them, with its planned activation memory) and {@code decode}.
     */
    public static PipelineBench of(SodecModel m) {
        return new PipelineBench(m.compression(), null, m.decoder());
    }

    public static PipelineBench of(RandomModel m) {
        return new PipelineBench(m.compression, m);
    }

    /** Times every backend op of the runs (warm-up included) by stage into {@code p}. */
    public PipelineBench profiled(OpProfile p) {
        this.profile = p;
        return this;
    }

    private void stage(String s) {
        if (profile != null) profile.stage(s);
    }

    /** @param x (1, 3, H, W) in [0, 1], H and W multiples of the compression model's size multiple */
    public Result run(Backend backend, Tensor x, int warmup, int runs, String modelName, long parameters) {
        Backend b = profile == null ? backend : profile.wrap(backend);
        if (runs < 1) throw new IllegalArgumentException("runs must be >= 1");
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0");
        Map<String, double[]> ms = new LinkedHashMap<>();
        long bytes = 0;
        try (Parallel par = new Parallel(b.threads())) {
            Tensor latent = generative == null ? null : latentFor(x);
            for (int i = -warmup; i < runs; i++) {
                Map<String, Double> one = new LinkedHashMap<>();
                bytes = once(b, par, x, latent, one);
                if (i < 0) continue;
                for (Map.Entry<String, Double> e : one.entrySet()) {
                    ms.computeIfAbsent(e.getKey(), k -> new double[runs])[i] = e.getValue();
                }
            }
        }
        List<Stage> stages = new ArrayList<>();
        ms.forEach((k, v) -> stages.add(new Stage(k, v)));
        int h = x.dim(2), w = x.dim(3);
        return new Result(modelName, parameters, w, h, b.name(), b.threads(), warmup, runs, bytes,
                bytes * 8.0 / ((long) w * h), ProcessMemory.peakRssBytes(), stages);
    }

    private long once(Backend b, Parallel par, Tensor x, Tensor latent, Map<String, Double> out) {
        HyperpriorCodec codec = compression.codec();
        stage("encode");
        long t0 = System.nanoTime();
        HyperpriorCodec.Encoded e = codec.compress(b, par, x);
        long t1 = System.nanoTime();
        out.put("encode", ms(t0, t1));
        int h = x.dim(2), w = x.dim(3), mult = codec.config().sizeMultiple();
        byte[] container = new Container(codec.config().architecture().code, compression.modelId(), w, h, 0, 0, 0, 0,
                List.of(e.yString(), e.zString())).encode();

        stage("entropy");
        long d0 = System.nanoTime();
        // entropy decoding exactly as HyperpriorCodec.decompress does it, split from g_s
        HyperpriorNetworks nets = codec.networks();
        Tensor zHat = codec.bottleneck().decompress(new byte[][] {e.zString()}, h / mult, w / mult);
        HyperpriorNetworks.HyperOutput hs = nets.hyperSynthesis(par, zHat);
        Tensor idx = codec.conditional().buildIndexes(hs.scales());
        Tensor yHat = codec.conditional().decompress(new byte[][] {e.yString()}, idx, hs.means());
        long d1 = System.nanoTime();
        stage("g_s");
        Tensor xF = nets.synthesis(b, yHat);
        long d2 = System.nanoTime();
        out.put("entropy", ms(d0, d1));
        out.put("g_s", ms(d1, d2));
        Tensor result = xF;
        if (sodec != null) {
            stage("generative");
            result = sodec.decode(b, xF, zHat, yHat).xHat();
            out.put("generative", ms(d2, System.nanoTime()));
        }
        if (generative != null) {
            stage("vit");
            Tensor cg = generative.vit.hiddenState(b, vitInput(b, xF, generative.vitImageSize), -2);
            long d3 = System.nanoTime();
            stage("unet");
            Tensor eps = generative.unet.forward(b, latent, 999f, cg);
            // y0 = (y_t - c1 eps) / c0
            Tensor y0 = b.scale(b.add(latent, b.scale(eps, -C1, 0f)), 1f / C0, 0f);
            long d4 = System.nanoTime();
            stage("vae");
            Tensor img = generative.vae.decode(b, b.scale(y0, 1f / VAE_SCALE, 0f));
            result = b.clamp(b.scale(img, 0.5f, 0.5f), 0f, 1f);
            long d5 = System.nanoTime();
            out.put("vit", ms(d2, d3));
            out.put("unet", ms(d3, d4));
            out.put("vae", ms(d4, d5));
        }
        long dEnd = System.nanoTime();
        out.put("decode", ms(d0, dEnd));
        if (result.numel() != 3L * h * w) throw new IllegalStateException("decoded " + result + " for a " + w + "x" + h + " image");
        return container.length;
    }

    /** Bilinear resize (no antialias) to the ViT's square input, then CLIP's per-channel normalization. */
    static Tensor vitInput(Backend b, Tensor x, int size) {
        Tensor r = b.resizeBilinear(x, size, size).contiguous();
        long plane = (long) size * size;
        for (int c = 0; c < 3; c++) {
            float mean = CLIP_MEAN[c], inv = 1f / CLIP_STD[c];
            for (long i = c * plane, end = i + plane; i < end; i++) r.setFloat(i, (r.getFloat(i) - mean) * inv);
        }
        return r;
    }

    /** A fixed pseudo-random latent of the UNet's input size for the image (standing in for Ts's output). */
    private Tensor latentFor(Tensor x) {
        int f = generative.vaeFactor;
        int lh = x.dim(2) / f, lw = x.dim(3) / f;
        return RandomWeights.random("latent", new int[] {1, 4, lh, lw}, 12345);
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
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
