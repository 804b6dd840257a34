package dev.sodec.bench;

import dev.sodec.codec.bench.Stats;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.memory.ProcessMemory;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java half of bench/compare_torch.sh: one SD 2.1 UNet forward (t = 999) and one SD VAE decode per image size,
 * on the weights and inputs bench/python/sd_torch.py wrote, after two warm-up calls each (JIT; the second packs the
 * large weights, which a program does on its second run, as ONNX Runtime does when its session is created). The peak RSS is reset (Linux
 * clear_refs, after a GC) before the timed calls, so it is their high-water mark with the weights that were touched
 * so far resident. With {@code runs=N}, N timed calls per network and size and their median, as OrtCompare reports
 * ORT's (default one). Prints {@code RESULT java ...} lines and writes the outputs to DIR/java_out.safetensors for the
 * cross-check.
 *
 * <p>usage: SdCompare DIR THREADS [runs=N] SIZE... (SIZE S or WxH, as bench/python/sd_torch.py names the inputs:
 * latents H/8 x W/8)
 */
public final class SdCompare {
    private SdCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) throw new IllegalArgumentException("usage: SdCompare DIR THREADS SIZE...");
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        boolean runsGiven = args[2].startsWith("runs=");
        int runs = runsGiven ? Integer.parseInt(args[2].substring(5)) : 1;
        int first = runsGiven ? 3 : 2;
        if (runs < 1 || first >= args.length) throw new IllegalArgumentException("usage: SdCompare DIR THREADS [runs=N] SIZE...");
        try (SafeTensors unetFile = SafeTensors.open(dir.resolve("unet.safetensors"));
             SafeTensors vaeFile = SafeTensors.open(dir.resolve("vae.safetensors"));
             SafeTensors inputs = SafeTensors.open(dir.resolve("inputs.safetensors"));
             Backend b = Backends.create(Backends.DEFAULT, threads)) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(stateDict(unetFile, "unet"), config(unetFile));
            VaeDecoder vae = VaeDecoder.load(stateDict(vaeFile, "vae"), config(vaeFile));
            Map<String, Tensor> in = inputs.tensors();
            Map<String, Tensor> outs = new LinkedHashMap<>();
            for (int i = first; i < args.length; i++) {
                String size = args[i];   // as sd_torch.py names the inputs: S or WxH
                Tensor x = in.get("sample_" + size), ctx = in.get("ctx"), z = in.get("latent_" + size);
                if (x == null || z == null) throw new IllegalArgumentException("no inputs for size " + size);
                Executable unetRun = BackendState.compile(b, new Tensor[] {x, ctx}, (g, n) -> unet.forward(g, n[0], 999f, n[1]));
                Executable vaeRun = BackendState.compile(b, new Tensor[] {z}, (g, n) -> vae.decode(g, n[0]));
                long t0 = System.nanoTime();
                unetRun.run(x, ctx);
                double tuWarm = (System.nanoTime() - t0) / 1e9;
                unetRun.run(x, ctx);   // the second run packs the large weights (as ORT does at session creation)
                boolean reset = settleAndResetPeak();
                double[] tus = new double[runs];
                Tensor eps = timed(tus, () -> unetRun.run(x, ctx)[0]);
                double tu = Stats.median(tus);
                long unetPeak = ProcessMemory.peakRssBytes();
                t0 = System.nanoTime();
                vaeRun.run(z);
                double tvWarm = (System.nanoTime() - t0) / 1e9;
                vaeRun.run(z);
                settleAndResetPeak();
                double[] tvs = new double[runs];
                Tensor img = timed(tvs, () -> vaeRun.run(z)[0]);
                double tv = Stats.median(tvs);
                long vaePeak = ProcessMemory.peakRssBytes();
                System.out.printf("INFO java size=%s warm-up (first run) unet_s=%.3f vae_s=%.3f; activation arena unet %d MiB"
                                + " (unplanned %d MiB, %d nodes), vae %d MiB (unplanned %d MiB, %d nodes)%n",
                        size, tuWarm, tvWarm, unetRun.arenaBytes() >> 20, unetRun.unplannedBytes() >> 20, unetRun.nodes(),
                        vaeRun.arenaBytes() >> 20, vaeRun.unplannedBytes() >> 20, vaeRun.nodes());
                unetRun.close();
                vaeRun.close();
                System.out.printf("INFO java size=%s peak RSS during the timed call%s: unet %d MiB, vae %d MiB%n", size,
                        reset ? "" : " (clear_refs refused: process-lifetime peak)", unetPeak >> 20, vaePeak >> 20);
                outs.put("eps_" + size, eps);
                outs.put("image_" + size, img);
                System.out.printf("RESULT java size=%s unet_s=%.3f vae_s=%.3f unet_min_s=%.3f unet_max_s=%.3f vae_min_s=%.3f"
                        + " vae_max_s=%.3f runs=%d%n", size, tu, tv, Stats.min(tus), Stats.max(tus), Stats.min(tvs),
                        Stats.max(tvs), runs);
            }
            SafeTensorsWriter.write(dir.resolve("java_out.safetensors"), outs, Map.of());
            System.out.printf("RESULT java peak_rss_mib=%d threads=%d%n", ProcessMemory.peakRssBytes() >> 20, b.threads());
        }
    }

    /** Calls {@code call} once per element of {@code seconds}, recording each call's time; returns the last output. */
    private static Tensor timed(double[] seconds, java.util.function.Supplier<Tensor> call) {
        Tensor out = null;
        for (int r = 0; r < seconds.length; r++) {
            long t0 = System.nanoTime();
            out = call.get();
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        return out;
    }

    /**
     * Collects the garbage of earlier calls first: unplanned activations live in GC-managed arenas whose native memory
     * is released only when the GC runs, and would otherwise stay in the RSS the timed call starts from.
     */
    private static boolean settleAndResetPeak() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        return ProcessMemory.resetPeak();
    }

    static StateDict stateDict(SafeTensors f, String source) {
        return new StateDict(f.tensors(), source);
    }

    static Config config(SafeTensors f) {
        return Config.parse(f.metadata().get("config"), "config");
    }
}
