package dev.sodec.bench;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.NodeTimer;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.graph.Profile;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a side-by-side network's time goes: the UNet forward (or, with {@code vae}, the VAE decode) of one size on the
 * weights and inputs of bench/compare_torch.sh's directory, two unprofiled warm-up runs (the second packs the
 * weights), then profiled runs: time per op type (as {@link Profile} labels them) and the slowest nodes with their
 * shapes and GFLOP/s, each node's best over the profiled runs. Profiling times each node alone, so the per-node sum
 * runs a little above an unprofiled call.
 *
 * <p>usage: SdProfile DIR THREADS SIZE [RUNS] [vae]   (SIZE S or WxH as the inputs are named)
 */
public final class SdProfile {
    private SdProfile() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) throw new IllegalArgumentException("usage: SdProfile DIR THREADS SIZE [RUNS] [vae]");
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        String size = args[2];
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        boolean vae = args.length > 4 && args[4].equals("vae");
        String file = vae ? "vae.safetensors" : "unet.safetensors";
        try (SafeTensors weights = SafeTensors.open(dir.resolve(file));
             SafeTensors inputs = SafeTensors.open(dir.resolve("inputs.safetensors"));
             Backend b = Backends.create(Backends.DEFAULT, threads)) {
            StateDict sd = new StateDict(weights.tensors(), vae ? "vae" : "unet");
            Config cfg = Config.parse(weights.metadata().get("config"), "config");
            Map<String, Tensor> in = inputs.tensors();
            Executable run;
            Tensor[] args2;
            if (vae) {
                VaeDecoder m = VaeDecoder.load(sd, cfg);
                args2 = new Tensor[] {require(in, "latent_" + size)};
                run = BackendState.compile(b, args2, (g, n) -> m.decode(g, n[0]));
            } else {
                UNet2DConditionModel m = UNet2DConditionModel.load(sd, cfg);
                args2 = new Tensor[] {require(in, "sample_" + size), require(in, "ctx")};
                run = BackendState.compile(b, args2, (g, n) -> m.forward(g, n[0], 999f, n[1]));
            }
            try (run) {
                run.run(args2);
                run.run(args2);
                Profile byOp = new Profile();
                Map<Node, long[]> best = new IdentityHashMap<>();
                List<Node> order = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    Profile thisRun = new Profile();
                    long t0 = System.nanoTime();
                    run.run((NodeTimer) (n, ns) -> {
                        thisRun.record(n, ns);
                        byOp.record(n, ns);
                        long[] e = best.get(n);
                        if (e == null) {
                            best.put(n, new long[] {ns});
                            order.add(n);
                        } else if (ns < e[0]) {
                            e[0] = ns;
                        }
                    }, args2);
                    System.out.printf(Locale.ROOT, "run %d: %.1f ms wall, node sum %.1f ms%n", r,
                            (System.nanoTime() - t0) / 1e6, thisRun.totalNanos() / 1e6);
                }
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    run.run(args2);
                    System.out.printf(Locale.ROOT, "unprofiled run %d: %.1f ms wall%n", r, (System.nanoTime() - t0) / 1e6);
                }
                System.out.println("per op type, summed over " + runs + " runs:");
                System.out.print(byOp.table());
                long bestSum = 0;
                double flops = 0;
                for (Node n : order) {
                    bestSum += best.get(n)[0];
                    flops += flops(n);
                }
                System.out.printf(Locale.ROOT, "best-per-node sum %.1f ms, %.1f GFLOP, %.0f GFLOP/s%n", bestSum / 1e6,
                        flops / 1e9, flops / bestSum);
                List<Node> slow = new ArrayList<>(order);
                slow.sort((x, y) -> Long.compare(best.get(y)[0], best.get(x)[0]));
                System.out.println("slowest nodes (best of the profiled runs):");
                int top = Integer.getInteger("sdprofile.top", 40);   // -Dsdprofile.top=1000 lists every node
                for (int i = 0; i < Math.min(top, slow.size()); i++) {
                    Node n = slow.get(i);
                    long ns = best.get(n)[0];
                    double f = flops(n);
                    System.out.printf(Locale.ROOT, "%8.2f ms %6.1f GFLOP/s  %-28s %s <- %s%n", ns / 1e6,
                            f > 0 ? f / ns : 0, Profile.label(n), Arrays.toString(n.shape()), inputShapes(n));
                }
            }
        }
    }

    /** Floating-point operations of the GEMM-like nodes (multiply-adds count two); 0 for the others. */
    static double flops(Node n) {
        return switch (n.op) {
            case CONV2D -> {
                int[] w = n.input(1).shape();
                yield 2.0 * n.numel() * w[1] * w[2] * w[3];
            }
            case LINEAR, MATMUL -> 2.0 * n.numel() * n.input(0).dim(-1);
            case ATTENTION -> {
                Node q = n.input(0), k = n.input(1);
                yield 2.0 * q.dim(0) * q.dim(1) * k.dim(1) * (q.dim(2) + n.dim(2));
            }
            default -> 0;
        };
    }

    private static String inputShapes(Node n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n.inputCount(); i++) {
            Node x = n.input(i);
            if (x == null) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(Arrays.toString(x.shape()));
        }
        return sb.toString();
    }

    private static Tensor require(Map<String, Tensor> in, String name) {
        Tensor t = in.get(name);
        if (t == null) throw new IllegalArgumentException("no input " + name + " in inputs.safetensors");
        return t;
    }
}
