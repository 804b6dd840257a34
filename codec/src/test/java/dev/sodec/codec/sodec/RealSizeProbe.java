package dev.sodec.codec.sodec;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Manual probe (not a unit test): builds the networks at real SD widths with random weights, discovering every
 * key and shape from the loaders' own errors, and times one CPU forward. Usage:
 * {@code java ... RealSizeProbe vae|unet|vit [latentH latentW] [threads]}.
 */
public final class RealSizeProbe {
    private static final Pattern MISSING = Pattern.compile("missing weight '([^']+)'");
    private static final Pattern SHAPE = Pattern.compile("weight '([^']+)' has shape \\[[^]]*], expected \\[([^]]*)]");

    static <M> M withRandomWeights(Function<StateDict, M> loader) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        Random rnd = new Random(1);
        while (true) {
            try {
                return loader.apply(new StateDict(w, "random"));
            } catch (MissingWeightException e) {
                Matcher m = MISSING.matcher(e.getMessage()), s = SHAPE.matcher(e.getMessage());
                if (m.find()) {
                    w.put(m.group(1), Tensor.zeros(1));
                } else if (s.find()) {
                    String[] parts = s.group(2).split(",\\s*");
                    int[] shape = new int[parts.length];
                    long n = 1;
                    for (int i = 0; i < parts.length; i++) n *= shape[i] = Integer.parseInt(parts[i]);
                    int fanIn = (int) Math.max(1, n / shape[0]);
                    float[] v = new float[(int) n];
                    float sc = (float) (1 / Math.sqrt(fanIn));
                    for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * sc;
                    if (shape.length == 1 && s.group(1).endsWith(".weight")) java.util.Arrays.fill(v, 1f); // norm scales
                    w.put(s.group(1), Tensor.fromFloats(v, shape));
                } else {
                    throw e;
                }
            }
        }
    }

    private static Tensor randn(Random r, int... shape) {
        long n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.fromFloats(v, shape);
    }

    public static void main(String[] args) throws Exception {
        String what = args[0];
        int lh = args.length > 2 ? Integer.parseInt(args[1]) : 16, lw = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
        Random r = new Random(7);
        try (CpuBackend cpu = new CpuBackend(threads)) {
            long t0 = System.nanoTime();
            Runnable run;
            switch (what) {
                case "vae" -> {
                    Config c = Config.parse("{\"block_out_channels\": [128, 256, 512, 512], \"up_block_types\": [\"UpDecoderBlock2D\","
                            + "\"UpDecoderBlock2D\",\"UpDecoderBlock2D\",\"UpDecoderBlock2D\"], \"layers_per_block\": 2,"
                            + "\"latent_channels\": 4, \"norm_num_groups\": 32, \"out_channels\": 3}", "sd-vae");
                    VaeDecoder vae = withRandomWeights(sd -> VaeDecoder.load(sd, c));
                    Tensor z = randn(r, 1, 4, lh, lw);
                    run = () -> System.out.println("image " + java.util.Arrays.toString(new Eager(cpu).run((g, n) -> vae.decode(g, n[0]), z).shape()));
                }
                case "unet" -> {
                    Config c = Config.parse("{\"block_out_channels\": [320, 640, 1280, 1280], \"attention_head_dim\": [5, 10, 20, 20],"
                            + "\"cross_attention_dim\": 1024, \"use_linear_projection\": true, \"layers_per_block\": 2}", "sd21-unet");
                    UNet2DConditionModel unet = withRandomWeights(sd -> UNet2DConditionModel.load(sd, c));
                    Tensor x = randn(r, 1, 4, lh, lw), ctx = randn(r, 1, 257, 1024);
                    run = () -> System.out.println("eps " + java.util.Arrays.toString(new Eager(cpu).run((g, n) -> unet.forward(g, n[0], 999f, n[1]), x, ctx).shape()));
                }
                case "vit" -> {
                    Config c = Config.parse("{\"hidden_size\": 1024, \"intermediate_size\": 4096, \"num_hidden_layers\": 24,"
                            + "\"num_attention_heads\": 16, \"image_size\": 224, \"patch_size\": 14}", "vit-l-14");
                    ClipVisionModel vit = withRandomWeights(sd -> ClipVisionModel.load(sd, c));
                    Tensor px = randn(r, 1, 3, 224, 224);
                    run = () -> System.out.println("penultimate " + java.util.Arrays.toString(new Eager(cpu).run((g, n) -> vit.hiddenState(g, n[0], -2), px).shape()));
                }
                default -> throw new IllegalArgumentException(what);
            }
            System.out.printf("built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            for (int i = 0; i < 2; i++) {
                long t = System.nanoTime();
                run.run();
                System.out.printf("%s forward %d: %.2f s (%d threads)%n", what, i, (System.nanoTime() - t) / 1e9, threads);
            }
        }
    }
}
