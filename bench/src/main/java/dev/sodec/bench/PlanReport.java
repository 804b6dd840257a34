package dev.sodec.bench;

import dev.sodec.codec.bench.RandomModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.tensor.Tensor;

/**
 * Plans (without running) the SD 2.1-size UNet forward and VAE decode of the random {@code sd21} preset at the given
 * image sizes and prints, per network, the graph's node count, the planned activation arena and what the same
 * activations would take if every intermediate had its own buffer. Planning is cheap next to a forward, so this is
 * how the arena figures in the README were read.
 *
 * <p>usage: PlanReport [BACKEND] SIZE... (SIZE e.g. 512 for 512x512: latents SIZE/8)
 */
public final class PlanReport {
    private PlanReport() {}

    public static void main(String[] args) {
        if (args.length < 2) throw new IllegalArgumentException("usage: PlanReport BACKEND SIZE...");
        RandomModel m = RandomModel.preset("sd21", 1);
        int ctxTokens = (m.vitImageSize / 14) * (m.vitImageSize / 14) + 1;
        int ctxWidth = m.unet.config.crossAttentionDim()[0];
        try (Backend b = Backends.create(args[0], 0)) {
            for (int i = 1; i < args.length; i++) {
                int size = Integer.parseInt(args[i]), lat = size / m.vaeFactor;
                Tensor x = Tensor.zeros(1, 4, lat, lat), ctx = Tensor.zeros(1, ctxTokens, ctxWidth);
                try (Executable unet = BackendState.compile(b, new Tensor[] {x, ctx}, (g, n) -> m.unet.forward(g, n[0], 999f, n[1]));
                     Executable vae = BackendState.compile(b, new Tensor[] {x}, (g, n) -> m.vae.decode(g, n[0]))) {
                    print(args[0], size, "unet", unet);
                    print(args[0], size, "vae", vae);
                }
            }
        }
    }

    private static void print(String backend, int size, String part, Executable e) {
        System.out.printf("PLAN backend=%s size=%dx%d part=%s nodes=%d arena_bytes=%d (%d MiB) unplanned_bytes=%d (%d MiB)%n",
                backend, size, size, part, e.nodes(), e.arenaBytes(), e.arenaBytes() >> 20, e.unplannedBytes(), e.unplannedBytes() >> 20);
    }
}
