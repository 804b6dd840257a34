package dev.sodec.bench;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.memory.ProcessMemory;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java half of bench/compare_torch.sh: one SD 2.1 UNet forward (t = 999) and one SD VAE decode per image size,
 * on the weights and inputs bench/python/sd_torch.py wrote, after one warm-up call each (JIT). Prints
 * {@code RESULT java ...} lines and writes the outputs to DIR/java_out.safetensors for the cross-check.
 *
 * <p>usage: SdCompare DIR THREADS SIZE... (SIZE 256 or 512: latents SIZE/8)
 */
public final class SdCompare {
    private SdCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) throw new IllegalArgumentException("usage: SdCompare DIR THREADS SIZE...");
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        try (SafeTensors unetFile = SafeTensors.open(dir.resolve("unet.safetensors"));
             SafeTensors vaeFile = SafeTensors.open(dir.resolve("vae.safetensors"));
             SafeTensors inputs = SafeTensors.open(dir.resolve("inputs.safetensors"));
             Backend b = Backends.create(Backends.DEFAULT, threads)) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(stateDict(unetFile, "unet"), config(unetFile));
            VaeDecoder vae = VaeDecoder.load(stateDict(vaeFile, "vae"), config(vaeFile));
            Map<String, Tensor> in = inputs.tensors();
            Map<String, Tensor> outs = new LinkedHashMap<>();
            for (int i = 2; i < args.length; i++) {
                int size = Integer.parseInt(args[i]);
                Tensor x = in.get("sample_" + size), ctx = in.get("ctx"), z = in.get("latent_" + size);
                if (x == null || z == null) throw new IllegalArgumentException("no inputs for size " + size);
                unet.forward(b, x, 999f, ctx);
                long t0 = System.nanoTime();
                Tensor eps = unet.forward(b, x, 999f, ctx);
                double tu = (System.nanoTime() - t0) / 1e9;
                vae.decode(b, z);
                t0 = System.nanoTime();
                Tensor img = vae.decode(b, z);
                double tv = (System.nanoTime() - t0) / 1e9;
                outs.put("eps_" + size, eps);
                outs.put("image_" + size, img);
                System.out.printf("RESULT java size=%d unet_s=%.3f vae_s=%.3f%n", size, tu, tv);
            }
            SafeTensorsWriter.write(dir.resolve("java_out.safetensors"), outs, Map.of());
            System.out.printf("RESULT java peak_rss_mib=%d threads=%d%n", ProcessMemory.peakRssBytes() >> 20, b.threads());
        }
    }

    private static StateDict stateDict(SafeTensors f, String source) {
        return new StateDict(f.tensors(), source);
    }

    private static Config config(SafeTensors f) {
        return Config.parse(f.metadata().get("config"), "config");
    }
}
