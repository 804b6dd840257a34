package dev.sodec.engine.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The memory plan never lets a value be overwritten while it is still read: random graphs (shared operands, views,
 * in-place candidates, several outputs, leaves as outputs) run as one planned graph give exactly the bits of running
 * every op on its own with memory of its own. Without fusions the kernels are the same, so the comparison is exact;
 * with the CPU backend's fusions it is within rounding.
 */
class RandomGraphPlanTest {
    /** One recorded step: an op over earlier values (by index). */
    private record Step(int[] operands, Eager.Forward op) {}

    private static Tensor random(SplittableRandom r, int... shape) {
        float[] v = new float[(int) dev.sodec.engine.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.fromFloats(v, shape);
    }

    /** A random program over (1, C, 6, 5) feature maps, C in {4, 8}. */
    private static List<Step> program(SplittableRandom r, List<int[]> shapes, int steps) {
        List<Step> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            int a = r.nextInt(shapes.size());
            int[] sa = shapes.get(a);
            int c = sa[1];
            int kind = r.nextInt(10);
            Step st;
            int[] shape;
            switch (kind) {
                case 0 -> {
                    st = new Step(new int[] {a}, (g, n) -> g.silu(n[0]));
                    shape = sa;
                }
                case 1 -> {
                    float m = (float) r.nextDouble(), k = (float) r.nextDouble();
                    st = new Step(new int[] {a}, (g, n) -> g.scale(n[0], m, k));
                    shape = sa;
                }
                case 2, 3 -> {   // add / mul with another value of the same shape (maybe itself)
                    int b = a;
                    for (int t = 0; t < 8; t++) {
                        int cand = r.nextInt(shapes.size());
                        if (java.util.Arrays.equals(shapes.get(cand), sa)) b = cand;
                    }
                    boolean add = kind == 2;
                    st = new Step(new int[] {a, b}, (g, n) -> add ? g.add(n[0], n[1]) : g.mul(n[0], n[1]));
                    shape = sa;
                }
                case 4 -> {   // conv to 4 or 8 channels, 3x3 or 1x1
                    int co = r.nextBoolean() ? 4 : 8, k = r.nextBoolean() ? 3 : 1;
                    Tensor w = random(r, co, c, k, k), bias = r.nextBoolean() ? random(r, co) : null;
                    st = new Step(new int[] {a}, (g, n) -> g.conv2d(n[0], w, bias, Conv2dParams.of(1, k / 2)));
                    shape = new int[] {1, co, 6, 5};
                }
                case 5 -> {   // concat to 8 channels from two 4-channel values, else a slice back to 4
                    int b = -1;
                    for (int t = 0; t < 8 && c == 4; t++) {
                        int cand = r.nextInt(shapes.size());
                        if (shapes.get(cand)[1] == 4) b = cand;
                    }
                    if (c == 4 && b >= 0) {
                        st = new Step(new int[] {a, b}, (g, n) -> g.concat(1, n[0], n[1]));
                        shape = new int[] {1, 8, 6, 5};
                    } else {
                        int from = c == 8 ? 4 * r.nextInt(2) : 0;
                        st = new Step(new int[] {a}, (g, n) -> g.slice(n[0], 1, from, from + 4));
                        shape = new int[] {1, 4, 6, 5};
                    }
                }
                case 6 -> {   // a view round trip: reshape to tokens and back, then something that reads it
                    st = new Step(new int[] {a}, (g, n) -> g.leakyRelu(n[0].reshape(1, c, 30).reshape(1, c, 6, 5), 0.1f));
                    shape = sa;
                }
                case 7 -> {
                    Tensor w = random(r, c), b = random(r, c);
                    st = new Step(new int[] {a}, (g, n) -> g.groupNorm(n[0], 2, w, b, 1e-5f));
                    shape = sa;
                }
                case 8 -> {
                    Tensor bias = random(r, c);
                    st = new Step(new int[] {a}, (g, n) -> g.addPerChannel(n[0], g.constant(bias)));
                    shape = sa;
                }
                default -> {   // tokens through attention and back: non-elementwise reads of a shared value
                    st = new Step(new int[] {a}, (g, n) -> {
                        Node t = g.transpose(n[0].reshape(1, c, 30));
                        return g.transpose(g.attention(t, t, t, 2, 0.5f)).reshape(1, c, 6, 5);
                    });
                    shape = sa;
                }
            }
            out.add(st);
            shapes.add(shape);
        }
        return out;
    }

    @Test
    void plannedRunsEqualOpByOpEvaluation() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            Eager eager = new Eager(cpu);
            for (int seed = 0; seed < 40; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                List<int[]> shapes = new ArrayList<>();
                List<Tensor> inputs = new ArrayList<>();
                int nIn = 1 + r.nextInt(3);
                for (int i = 0; i < nIn; i++) {
                    int[] s = {1, r.nextBoolean() ? 4 : 8, 6, 5};
                    shapes.add(s);
                    inputs.add(random(r, s));
                }
                List<Step> steps = program(r, shapes, 6 + r.nextInt(14));
                int total = shapes.size();
                int[] outs = r.ints(1 + r.nextInt(3), 0, total).distinct().toArray();

                // reference: each op alone, its own memory
                List<Tensor> vals = new ArrayList<>(inputs);
                for (Step st : steps) {
                    Tensor[] ops = new Tensor[st.operands().length];
                    for (int i = 0; i < ops.length; i++) ops[i] = vals.get(st.operands()[i]);
                    vals.add(eager.run(st.op(), ops));
                }
                for (Set<Fusion> fusions : List.of(Set.<Fusion>of(), cpu.fusions())) {
                    Graph g = new Graph();
                    List<Node> nodes = new ArrayList<>();
                    for (int i = 0; i < nIn; i++) nodes.add(g.input("in" + i, inputs.get(i).shape()));
                    for (Step st : steps) {
                        Node[] ops = new Node[st.operands().length];
                        for (int i = 0; i < ops.length; i++) ops[i] = nodes.get(st.operands()[i]);
                        nodes.add(st.op().apply(g, ops));
                    }
                    for (int o : outs) g.output("out" + o, nodes.get(o));
                    try (Executable e = Executable.compile(cpu, g, fusions)) {
                        for (int run = 0; run < 2; run++) {
                            Tensor[] got = e.run(inputs.toArray(new Tensor[0]));
                            for (int i = 0; i < outs.length; i++) {
                                float[] want = vals.get(outs[i]).toFloatArray(), have = got[i].toFloatArray();
                                String what = "seed " + seed + " output " + outs[i] + " fusions " + fusions + " run " + run;
                                if (fusions.isEmpty()) assertArrayEquals(want, have, what);
                                else for (int k = 0; k < want.length; k++) {
                                    assertTrue(Math.abs(want[k] - have[k]) <= 1e-5f * (1 + Math.abs(want[k])), what + " element " + k);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
