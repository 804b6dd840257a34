package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The early-exit path SODEC uses (penultimate hidden state only) and input checks of the CLIP tower. */
class ClipVisionModelTest {

    @Test
    void penultimateAloneMatchesGoldenAndBatchRowsAreIndependent() throws Exception {
        try (GoldenCase c = GoldenCase.open(Path.of(System.getProperty("sodec.shared")).resolve("golden/model.clip_vision"));
             CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine(c.naming(), c.weights()), c.id());
            ClipVisionModel vit = ClipVisionModel.load(sd, c.config());
            sd.requireAllConsumed();
            Tensor px = c.input("pixel_values");
            double[] tol = c.tolerance("hidden_states_m2");
            Eager ops = new Eager(cpu);
            Comparison m2 = Comparison.compare("hidden_states_m2", ops.run((g, n) -> vit.hiddenState(g, n[0], -2), px), c.expected("hidden_states_m2"), tol[0], tol[1]);
            assertTrue(m2.pass(), m2.detail());

            // a batch of two equal images gives the single-image result in each row (class token and positions broadcast)
            Tensor two = ops.concat(0, px, px);
            var o = ops.run(java.util.Map.of("px", two), (g, n) -> {
                ClipVisionModel.Output out = vit.forward(g, n.get("px"));
                g.output("last", out.lastHiddenState());
                g.output("pool", out.poolerOutput());
            });
            assertArrayEquals(new int[] {2, 17, 32}, o.get("last").shape());
            for (int b = 0; b < 2; b++) {
                Tensor last = o.get("last").slice(0, b, b + 1).contiguous();
                double[] t = c.tolerance("last_hidden_state");
                Comparison cl = Comparison.compare("last_hidden_state", last, c.expected("last_hidden_state"), t[0], t[1]);
                assertTrue(cl.pass(), cl.detail());
                Tensor pool = o.get("pool").slice(0, b, b + 1).contiguous();
                t = c.tolerance("pooler_output");
                Comparison cp = Comparison.compare("pooler_output", pool, c.expected("pooler_output"), t[0], t[1]);
                assertTrue(cp.pass(), cp.detail());
            }

            Throwable e = assertThrows(IllegalArgumentException.class, () -> ops.run((g, n) -> vit.forward(g, n[0]).lastHiddenState(), Tensor.zeros(1, 3, 40, 40)));
            assertTrue(e.getMessage().contains("image_size"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> ops.run((g, n) -> vit.hiddenState(g, n[0], 4), px));
        }
    }
}
