package dev.sodec.codec.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.ResidualBlockUpsample;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fixed-order executor: the same bits at every thread count, the same values as a backend up to float rounding,
 * its grouped convolutions exactly the documented definition, and no silent fallback for ops it does not define.
 */
class FixedOrderGraphTest {
    private static Tensor rand(Random r, float scale, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() * scale;
        return Tensor.fromFloats(v, shape);
    }

    /** Random weights for a DCB4(in, out) then an RBU(out, out), under their reference keys. */
    private static Map<String, Tensor> weights(Random r, int in, int out) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("a.block.0.conv1.0.weight", rand(r, 0.2f, in, in, 1, 1));
        w.put("a.block.0.conv1.0.bias", rand(r, 0.1f, in));
        w.put("a.block.0.depth_conv.weight", rand(r, 0.3f, in, 1, 3, 3));
        w.put("a.block.0.depth_conv.bias", rand(r, 0.1f, in));
        w.put("a.block.0.conv2.weight", rand(r, 0.2f, out, in, 1, 1));
        w.put("a.block.0.conv2.bias", rand(r, 0.1f, out));
        w.put("a.block.0.adaptor.weight", rand(r, 0.2f, out, in, 1, 1));
        w.put("a.block.0.adaptor.bias", rand(r, 0.1f, out));
        w.put("a.block.1.conv.weight", rand(r, 0.2f, 4 * out, out, 1, 1));
        w.put("a.block.1.conv.bias", rand(r, 0.1f, 4 * out));
        w.put("a.block.1.conv_out.weight", rand(r, 0.2f, out, 2 * out, 1, 1));
        w.put("a.block.1.conv_out.bias", rand(r, 0.1f, out));
        w.put("b.subpel_conv.0.weight", rand(r, 0.2f, 4 * out, out, 1, 1));
        w.put("b.subpel_conv.0.bias", rand(r, 0.1f, 4 * out));
        w.put("b.conv.weight", rand(r, 0.1f, out, out, 3, 3));
        w.put("b.conv.bias", rand(r, 0.1f, out));
        w.put("b.upsample.0.weight", rand(r, 0.2f, 4 * out, out, 1, 1));
        w.put("b.upsample.0.bias", rand(r, 0.1f, 4 * out));
        return w;
    }

    @Test
    void sameBitsAtEveryThreadCountAndTheBackendsValues() {
        Random r = new Random(5);
        StateDict sd = new StateDict(weights(r, 12, 16), "test");
        DepthConvBlock4 a = DepthConvBlock4.load(sd.scope("a"), 12, 16);
        ResidualBlockUpsample b = ResidualBlockUpsample.load(sd.scope("b"), 16, 16);
        sd.requireAllConsumed();
        Tensor x = rand(r, 1f, 1, 12, 5, 11);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        g.output("y", b.forward(g, a.forward(g, in)));
        FixedOrderGraph f = FixedOrderGraph.of(g);
        float[] first = null;
        for (int threads : new int[] {1, 2, 3, 8}) {
            try (Parallel par = new Parallel(threads)) {
                float[] y = f.run(par, x)[0].toFloatArray();
                if (first == null) first = y;
                else assertArrayEquals(first, y, threads + " threads");
            }
        }
        Tensor cpu;
        try (CpuBackend be = new CpuBackend(2)) {
            cpu = new Eager(be).run((gg, n) -> b.forward(gg, a.forward(gg, n[0])), x);
        }
        double rel = Comparison.compare("y", Tensor.fromFloats(first, cpu.shape()), cpu, 1, 1).relL2();
        assertTrue(rel < 1e-6, "fixed order vs cpu backend rel_l2 " + rel);
    }

    @Test
    void depthwiseConvolutionIsTheDefinition() {
        Random r = new Random(6);
        int c = 6, h = 4, w = 19;
        Tensor x = rand(r, 1f, 1, c, h, w), wt = rand(r, 1f, c, 1, 3, 3), bias = rand(r, 1f, c);
        float[] expected = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) for (int oy = 0; oy < h; oy++) for (int ox = 0; ox < w; ox++) {
            float acc = bias.getFloat(ch);
            for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) {
                int iy = oy - 1 + ky, ix = ox - 1 + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                acc += x.getFloat((ch * h + iy) * w + ix) * wt.getFloat(ch * 9 + ky * 3 + kx);
            }
            expected[(ch * h + oy) * w + ox] = acc;
        }
        try (Parallel par = new Parallel(3)) {
            assertArrayEquals(expected, FixedOrderConv.conv2d(par, FixedOrderConv.Map3.of(x), wt, bias, Conv2dParams.of(1, 1, 1, c)).data());
        }
    }

    @Test
    void opsWithoutAFixedOrderDefinitionAreRefused() {
        Graph g = new Graph();
        Node x = g.input("x", 1, 32, 2, 2);
        g.output("y", g.groupNorm(x, 8, (Node) null, null, 1e-6f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FixedOrderGraph.of(g));
        assertTrue(e.getMessage().contains("group_norm"), e.getMessage());
        Graph g2 = new Graph();
        g2.output("y", g2.silu(g2.input("x", 1, 4)));
        assertThrows(IllegalArgumentException.class, () -> FixedOrderGraph.of(g2));
    }
}
