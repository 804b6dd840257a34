package dev.sodec.engine.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Recording, shape checks, fusion rewrites and what a compiled graph holds. */
class GraphTest {
    private static Tensor ramp(int... shape) {
        float[] v = new float[(int) dev.sodec.engine.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37) * 0.5f;
        return Tensor.fromFloats(v, shape);
    }

    @Test
    void shapesAreCheckedOnceWhenRecordedForEveryBackend() {
        Graph g = new Graph();
        Node x = g.input("x", 3, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.linear(x, ramp(5, 8), ramp(4)));
        assertEquals("linear: bias [4] is not (5)", e.getMessage(), "a wrong bias length no backend ever sees");
        assertThrows(IllegalArgumentException.class, () -> g.linear(x, ramp(5, 7), null));
        assertThrows(IllegalArgumentException.class, () -> g.add(x, g.input("y", 3, 9)));
        assertThrows(IllegalArgumentException.class, () -> g.conv2d(g.input("img", 1, 4, 5, 5), ramp(2, 3, 3, 3), null, Conv2dParams.of(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> g.pixelShuffle(g.input("p", 1, 4, 2, 2), 3));
        assertThrows(IllegalArgumentException.class, () -> new Graph().add(x, x), "a node of another graph");
        Node ok = g.linear(x, ramp(5, 8), ramp(5));
        assertArrayEquals(new int[] {3, 5}, ok.shape());
        for (String name : new String[] {"cpu", "cuda-emulated"}) {
            try (Backend b = Backends.create(name, 1)) {
                var wrong = assertThrows(IllegalArgumentException.class, () -> new Eager(b).linear(ramp(3, 8), ramp(5, 8), ramp(4)));
                assertEquals(e.getMessage(), wrong.getMessage(), name);
            }
        }
    }

    @Test
    void constantsAreInternedByTensor() {
        Graph g = new Graph();
        Tensor w = ramp(4);
        assertSame(g.constant(w), g.constant(w));
        assertTrue(g.constant(null) == null);
    }

    /** The schedule's compute nodes, by op. */
    private static List<Node> compute(Executable e) {
        List<Node> out = new ArrayList<>();
        for (Node n : e.schedule().nodes) if (!n.op.isView()) out.add(n);
        return out;
    }

    @Test
    void convActivationAndResidualBecomeOneNode() {
        Tensor x = ramp(1, 4, 6, 5), w = ramp(4, 4, 3, 3), b = ramp(4);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        Node h = g.silu(g.conv2d(in, w, b, Conv2dParams.of(1, 1)));
        g.output("y", g.add(in, h));
        try (CpuBackend cpu = new CpuBackend(1); Executable fused = Executable.compile(cpu, g);
             Executable plain = Executable.compile(cpu, g, Set.of())) {
            List<Node> nodes = compute(fused);
            assertEquals(1, nodes.size(), nodes.toString());
            Epilogue ep = nodes.get(0).attrs(Attrs.Conv.class).epilogue();
            assertEquals(Act.SILU, ep.act());
            assertTrue(ep.residual());
            assertEquals(3, compute(plain).size());
            float[] a = fused.run(x)[0].toFloatArray(), c = plain.run(x)[0].toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(c[i], a[i], 1e-6f * (1 + Math.abs(c[i])), "element " + i);
        }
    }

    @Test
    void groupNormSiluFusesAndLinearTakesItsResidual() {
        Tensor x = ramp(2, 8, 3, 3), gw = ramp(8), gb = ramp(8);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        Node t = g.transpose(g.silu(g.groupNorm(in, 4, gw, gb, 1e-5f)).reshape(2, 8, 9));
        Tensor lw = ramp(8, 8), lb = ramp(8);
        g.output("y", g.add(g.linear(t, lw, lb), t));
        try (CpuBackend cpu = new CpuBackend(1); Executable fused = Executable.compile(cpu, g);
             Executable plain = Executable.compile(cpu, g, Set.of())) {
            List<String> ops = new ArrayList<>();
            for (Node n : compute(fused)) ops.add(Profile.label(n));
            assertEquals(List.of("group_norm+silu", "transpose", "linear+residual"), ops);
            float[] a = fused.run(x)[0].toFloatArray(), c = plain.run(x)[0].toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(c[i], a[i], 1e-6f * (1 + Math.abs(c[i])), "element " + i);
        }
    }

    @Test
    void aProducerReadTwiceOrKeptAsOutputIsNotFused() {
        Tensor x = ramp(1, 4, 5, 5), w = ramp(4, 4, 1, 1);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        Node conv = g.conv2d(in, w, null, Conv2dParams.of(1, 0));
        g.output("conv", conv);
        g.output("act", g.silu(conv));
        Graph g2 = new Graph();
        Node in2 = g2.input("x", x.shape());
        Node conv2 = g2.conv2d(in2, w, null, Conv2dParams.of(1, 0));
        g2.output("y", g2.add(g2.silu(conv2), conv2));
        try (CpuBackend cpu = new CpuBackend(1); Executable a = Executable.compile(cpu, g); Executable b = Executable.compile(cpu, g2)) {
            assertEquals(2, compute(a).size(), "conv is an output: silu stays a node");
            assertEquals(3, compute(b).size(), "conv is read twice: nothing merges into its readers");
            Tensor[] r = a.run(x);
            float[] conv0 = r[0].toFloatArray(), act = r[1].toFloatArray();
            for (int i = 0; i < act.length; i++) assertEquals(conv0[i] / (1 + Math.exp(-conv0[i])), act[i], 1e-6);
        }
    }

    @Test
    void deadNodesAreDroppedAndLeavesCanBeOutputs() {
        Tensor x = ramp(2, 3);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        g.silu(g.silu(in));   // nobody reads it
        g.output("same", in);
        g.output("weight", g.constant(ramp(4)));
        g.output("view", in.reshape(3, 2));
        try (CpuBackend cpu = new CpuBackend(1); Executable e = Executable.compile(cpu, g)) {
            Tensor[] r = e.run(x);
            assertArrayEquals(x.toFloatArray(), r[0].toFloatArray());
            assertArrayEquals(ramp(4).toFloatArray(), r[1].toFloatArray());
            assertArrayEquals(new int[] {3, 2}, r[2].shape());
            for (Node n : e.schedule().nodes) assertTrue(n.op != Op.UNARY || n.attrs(Act.class).kind() == Act.Kind.SCALE, "only copies run: " + n);
            assertNotNull(e.schedule().outputNames);
        }
    }

    @Test
    void inputsAreCheckedAtRun() {
        Graph g = new Graph();
        g.output("y", g.silu(g.input("x", 2, 3)));
        try (CpuBackend cpu = new CpuBackend(1); Executable e = Executable.compile(cpu, g)) {
            assertThrows(IllegalArgumentException.class, () -> e.run(ramp(3, 2)));
            assertThrows(IllegalArgumentException.class, () -> e.run());
            e.close();
            assertThrows(IllegalStateException.class, () -> e.run(ramp(2, 3)));
        }
    }

    @Test
    void aBatchSliceIsCopiedAChannelSliceIsAView() {
        Tensor x = ramp(2, 6, 3, 3);
        Graph g = new Graph();
        Node in = g.input("x", x.shape());
        Node batchSlice = g.slice(in, 1, 2, 5);   // batch 2: not contiguous
        Node first = g.slice(in, 0, 1, 2);        // one batch entry: contiguous
        assertEquals(Op.SLICE_COPY, batchSlice.op);
        assertEquals(Op.SLICE, first.op);
        g.output("a", batchSlice);
        g.output("b", g.slice(first, 1, 2, 5));
        for (String name : new String[] {"cpu", "cuda-emulated"}) {
            try (Backend be = Backends.create(name, 1); Executable e = Executable.compile(be, g)) {
                Tensor[] r = e.run(x);
                assertArrayEquals(x.slice(1, 2, 5).contiguous().toFloatArray(), r[0].toFloatArray(), name);
                assertArrayEquals(x.slice(0, 1, 2).slice(1, 2, 5).contiguous().toFloatArray(), r[1].toFloatArray(), name);
            }
        }
    }
}
