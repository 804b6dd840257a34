package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Fusion;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.GraphCache;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The planned graphs of the golden UNet and VAE decoder: runs that reuse the arena give the same bits as the first
 * one and for any thread count; each fusion the CPU backend makes agrees with the unfused graph; the arena is much
 * smaller than all activations together; compiled plans are kept per shape and evicted beyond the cache's bound.
 */
class GraphPlanTest {
    static final Path SUITE = Path.of(System.getProperty("sodec.shared")).resolve("golden");

    static Graph graph(Tensor[] inputs, BiFunction<Graph, Node[], Node> fwd) {
        Graph g = new Graph();
        Node[] in = new Node[inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = g.input("in" + i, inputs[i].shape());
        g.output("y", fwd.apply(g, in));
        return g;
    }

    static float[] run(CpuBackend b, Set<Fusion> fusions, Tensor[] inputs, BiFunction<Graph, Node[], Node> fwd) {
        try (Executable e = Executable.compile(b, graph(inputs, fwd), fusions)) {
            return e.run(inputs)[0].toFloatArray();
        }
    }

    /** Reuse, thread count and every fusion, on one network. */
    static void checkPlanned(Tensor[] inputs, BiFunction<Graph, Node[], Node> fwd) {
        try (CpuBackend one = new CpuBackend(1); CpuBackend three = new CpuBackend(3)) {
            Executable e = Executable.compile(three, graph(inputs, fwd));
            float[] first = e.run(inputs)[0].toFloatArray();
            for (int run = 0; run < 2; run++) assertArrayEquals(first, e.run(inputs)[0].toFloatArray(), "replay " + run);
            assertTrue(e.arenaBytes() > 0 && e.arenaBytes() * 3 < e.unplannedBytes(),
                    "arena " + e.arenaBytes() + " vs unplanned " + e.unplannedBytes());
            e.close();
            assertArrayEquals(first, run(one, one.fusions(), inputs, fwd), "1 vs 3 threads");
            float[] unfused = run(one, Set.of(), inputs, fwd);
            assertClose(unfused, first, "all fusions");
            for (Fusion f : Fusion.values()) assertClose(unfused, run(one, EnumSet.of(f), inputs, fwd), f.name());
        }
    }

    /** Fused kernels round differently (a residual added before the product instead of after): rel_l2 <= 1e-6. */
    static void assertClose(float[] ref, float[] got, String what) {
        double err = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            err += (got[i] - (double) ref[i]) * (got[i] - (double) ref[i]);
            norm += ref[i] * (double) ref[i];
        }
        assertTrue(Math.sqrt(err / Math.max(norm, 1e-30)) <= 1e-6, what + ": rel_l2 " + Math.sqrt(err / norm));
    }

    @Test
    void unetPlanIsExactAcrossRunsAndFusions() throws Exception {
        try (GoldenCase c = GoldenCase.open(SUITE.resolve("model.unet2d_condition.sd21_t999"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(new StateDict(c.weights(), c.id()), c.config());
            float t = (float) c.call().getDouble("timestep");
            checkPlanned(new Tensor[] {c.input("sample"), c.input("encoder_hidden_states")},
                    (g, in) -> unet.forward(g, in[0], t, in[1]));
        }
    }

    @Test
    void vaePlanIsExactAcrossRunsAndFusions() throws Exception {
        try (GoldenCase c = GoldenCase.open(SUITE.resolve("model.vae_decoder"))) {
            VaeDecoder vae = VaeDecoder.load(new StateDict(c.weights(), c.id()), c.config());
            checkPlanned(new Tensor[] {c.input("latent")}, (g, in) -> vae.decode(g, in[0]));
        }
    }

    @Test
    void cacheKeepsOnePlanPerShapeWithinItsBound() throws Exception {
        try (GoldenCase c = GoldenCase.open(SUITE.resolve("model.vae_decoder")); CpuBackend cpu = new CpuBackend(2);
             GraphCache cache = new GraphCache(1)) {
            VaeDecoder vae = VaeDecoder.load(new StateDict(c.weights(), c.id()), c.config());
            Tensor z = c.input("latent");
            Tensor small = z.slice(2, 0, z.dim(2) / 2).contiguous();
            String[] names = {"latent"};
            GraphCache.Builder b = (g, in) -> g.output("image", vae.decode(g, in[0]));
            float[] ref = cache.run(cpu, "vae", names, new Tensor[] {z}, b)[0].toFloatArray();
            Executable big = cache.executable(cpu, "vae", names, new Tensor[] {z}, b);
            float[] refSmall = cache.run(cpu, "vae", names, new Tensor[] {small}, b)[0].toFloatArray();
            assertEquals(1, cache.size(), "capacity 1: the first shape's plan was dropped");
            assertEquals(refSmall.length, cache.held().get(0).schedule().outputs.get(0).numel(), "the small shape's plan is held");
            assertTrue(cache.held().get(0).arenaBytes() < big.arenaBytes());
            assertArrayEquals(ref, cache.run(cpu, "vae", names, new Tensor[] {z}, b)[0].toFloatArray(), "recompiled after eviction");
            assertArrayEquals(refSmall, cache.run(cpu, "vae", names, new Tensor[] {small}, b)[0].toFloatArray());
        }
    }
}
