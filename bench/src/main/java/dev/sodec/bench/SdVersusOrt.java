package dev.sodec.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sodec.codec.bench.Stats;
import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Engine against ONNX Runtime in one process, calls interleaved: per size and network (the side-by-side's SD 2.1 UNet
 * forward and VAE decode), the engine's compiled program and ORT's session alternate call by call (ABBA order), so
 * both see the same machine from minute to minute. On a shared VM whose speed drifts by 20-40% over minutes, the
 * sequential side-by-side ({@code compare_ort.sh}: all engine calls, then all ORT calls) can put the two in
 * different machine states; the median of the paired engine/ORT ratios here cannot. Warm-ups first: two engine calls
 * (the second packs the weights) and one ORT call; then ROUNDS pairs. Prints each pair, then per network the
 * medians, the minima, the median of the paired ratios and the relative L2 difference of the two outputs (a check
 * that both computed the same thing). Same settings as the side-by-side: the engine's default backend and
 * {@link OrtCompare#sessionOptions} (ORT_SPIN=1 lets ORT's threads spin).
 *
 * <p>usage: SdVersusOrt DIR THREADS ROUNDS SIZE... [unet|vae]   (both networks unless one is named)
 */
public final class SdVersusOrt {
    private SdVersusOrt() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) throw new IllegalArgumentException("usage: SdVersusOrt DIR THREADS ROUNDS SIZE... [unet|vae]");
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]), rounds = Integer.parseInt(args[2]);
        String last = args[args.length - 1];
        boolean onlyOne = last.equals("unet") || last.equals("vae");
        int sizesEnd = onlyOne ? args.length - 1 : args.length;
        if (rounds < 1 || sizesEnd <= 3) throw new IllegalArgumentException("usage: SdVersusOrt DIR THREADS ROUNDS SIZE... [unet|vae]");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (SafeTensors unetFile = SafeTensors.open(dir.resolve("unet.safetensors"));
             SafeTensors vaeFile = SafeTensors.open(dir.resolve("vae.safetensors"));
             SafeTensors inputs = SafeTensors.open(dir.resolve("inputs.safetensors"));
             Backend b = Backends.create(Backends.DEFAULT, threads);
             OrtSession.SessionOptions so = OrtCompare.sessionOptions(threads)) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(SdCompare.stateDict(unetFile, "unet"), SdCompare.config(unetFile));
            VaeDecoder vae = VaeDecoder.load(SdCompare.stateDict(vaeFile, "vae"), SdCompare.config(vaeFile));
            Map<String, Tensor> in = inputs.tensors();
            System.out.printf("INFO engine: %s; ORT threads %d; %d rounds%n", b.description(), threads, rounds);
            for (int i = 3; i < sizesEnd; i++) {
                String size = args[i];
                Tensor x = OrtCompare.need(in, "sample_" + size), ctx = OrtCompare.need(in, "ctx");
                Tensor z = OrtCompare.need(in, "latent_" + size);
                if (!onlyOne || last.equals("unet")) {
                    try (Executable run = BackendState.compile(b, new Tensor[] {x, ctx}, (g, n) -> unet.forward(g, n[0], 999f, n[1]));
                         OrtSession s = env.createSession(OrtCompare.onnx(dir, "unet_" + size + "/model"), so)) {
                        compare("unet", size, rounds, () -> run.run(x, ctx)[0], env, s, Map.of("sample", x, "ctx", ctx), "eps");
                    }
                }
                if (!onlyOne || last.equals("vae")) {
                    try (Executable run = BackendState.compile(b, new Tensor[] {z}, (g, n) -> vae.decode(g, n[0]));
                         OrtSession s = env.createSession(OrtCompare.onnx(dir, "vae_" + size), so)) {
                        compare("vae", size, rounds, () -> run.run(z)[0], env, s, Map.of("latent", z), "image");
                    }
                }
            }
        }
    }

    /** One network at one size: warm-ups, then {@code rounds} interleaved pairs; prints the pairs and the summary. */
    private static void compare(String part, String size, int rounds, java.util.function.Supplier<Tensor> engine,
                                OrtEnvironment env, OrtSession ort, Map<String, Tensor> inputs, String output)
            throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) feed.put(e.getKey(), OrtCompare.toOrt(env, e.getValue()));
            engine.get();
            engine.get();   // the second run packs the large weights (as ORT does at session creation)
            runOrt(ort, feed, output);
            double[] te = new double[rounds], to = new double[rounds], ratio = new double[rounds];
            Tensor outE = null, outO = null;
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    boolean engineTurn = (r % 2 == 0) == (k == 0);   // ABBA: each side goes first every other round
                    long t0 = System.nanoTime();
                    if (engineTurn) {
                        outE = engine.get();
                        te[r] = (System.nanoTime() - t0) / 1e9;
                    } else {
                        outO = runOrt(ort, feed, output);
                        to[r] = (System.nanoTime() - t0) / 1e9;
                    }
                }
                ratio[r] = te[r] / to[r];
                System.out.printf(Locale.ROOT, "PAIR %s size=%s round=%d engine_s=%.3f ort_s=%.3f engine/ort=%.3f%n",
                        part, size, r, te[r], to[r], ratio[r]);
            }
            System.out.printf(Locale.ROOT, "RESULT %s size=%s engine_s=%.3f (min %.3f) ort_s=%.3f (min %.3f)"
                            + " engine/ort median_of_pairs=%.3f (min %.3f, max %.3f) rel_l2=%.2e rounds=%d%n",
                    part, size, Stats.median(te), Stats.min(te), Stats.median(to), Stats.min(to), Stats.median(ratio),
                    Stats.min(ratio), Stats.max(ratio), relL2(outE, outO), rounds);
        } finally {
            for (OnnxTensor t : feed.values()) t.close();
        }
    }

    private static Tensor runOrt(OrtSession s, Map<String, OnnxTensor> feed, String output) throws OrtException {
        try (OrtSession.Result res = s.run(feed)) {
            return OrtCompare.output(res, output);
        }
    }

    /** ||a - b|| / ||b|| by the conformance rules' measure; the shapes must match. */
    private static double relL2(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalStateException("engine and ORT outputs differ in shape: " + Arrays.toString(a.shape())
                    + " vs " + Arrays.toString(b.shape()));
        }
        return Comparison.compare("output", a, b, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY).relL2();
    }
}
