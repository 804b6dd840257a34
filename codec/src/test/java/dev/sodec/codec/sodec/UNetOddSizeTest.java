package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Sample sizes that are not a multiple of the total down factor: the downsampler rounds up and Upsample2D must
 * resize to the skip's exact size (torch nearest index rule, e.g. 2x3 -> 4x5 -> 7x9). Expected outputs come from
 * an independent float64 numpy reference (resources/unet-odd-sizes/README.md) on the golden cases' weights.
 */
class UNetOddSizeTest {

    private static void check(String caseId, String fixture) throws Exception {
        Path golden = Path.of(System.getProperty("sodec.shared")).resolve("golden").resolve(caseId);
        Path fx = Path.of(UNetOddSizeTest.class.getResource("/unet-odd-sizes/" + fixture).toURI());
        try (GoldenCase c = GoldenCase.open(golden); SafeTensors io = SafeTensors.open(fx); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine(c.naming(), c.weights()), c.id());
            UNet2DConditionModel unet = UNet2DConditionModel.load(sd, c.config());
            sd.requireAllConsumed();
            Tensor sample = io.get("in.sample");
            float t = (float) c.call().getDouble("timestep");
            Tensor eps = new Eager(cpu).run((g, n) -> unet.forward(g, n[0], t, n[1]), sample, io.get("in.encoder_hidden_states"));
            assertArrayEquals(sample.shape(), eps.shape());
            double[] tol = c.tolerance("eps");
            Comparison cmp = Comparison.compare("eps", eps, io.get("out.eps"), tol[0], tol[1]);
            assertTrue(cmp.pass(), fixture + ": " + cmp.detail() + " rel_l2 " + cmp.relL2() + " max_abs " + cmp.maxAbs());
        }
    }

    @Test
    void linearProjectionPerLevelHeads7x9() throws Exception {
        check("model.unet2d_condition.sd21_t999", "sd21_t999.7x9.safetensors");
    }

    @Test
    void convProjection5x6() throws Exception {
        check("model.unet2d_condition.sd15_t10", "sd15_t10.5x6.safetensors");
    }
}
