package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.memory.ActivationPlanner;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Planned activations give bit-identical results to GC-managed ones for the UNet and the VAE decoder (golden model
 * cases), on the recording run and on the replays that reuse the arena, and the arena is smaller than the sum of
 * all activations.
 */
class ActivationPlanTest {
    static final Path SUITE = Path.of(System.getProperty("sodec.shared")).resolve("golden");

    static void plannedMatchesUnplanned(Backend b, Function<Backend, Tensor> fwd, String key) {
        float[] ref = fwd.apply(b).toFloatArray();
        ActivationPlanner planner = new ActivationPlanner();
        for (int run = 0; run < 3; run++) {
            assertArrayEquals(ref, planner.run(b, key, fwd).toFloatArray(), "run " + run);
        }
        long arena = planner.arenaBytes(key), total = planner.unplannedBytes(key);
        assertTrue(arena > 0 && arena < total, "arena " + arena + " vs unplanned " + total);
    }

    @Test
    void unetPlannedForwardIsExact() throws Exception {
        try (GoldenCase c = GoldenCase.open(SUITE.resolve("model.unet2d_condition.sd21_t999")); CpuBackend cpu = new CpuBackend(2)) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(new StateDict(c.weights(), c.id()), c.config());
            Tensor x = c.input("sample"), ctx = c.input("encoder_hidden_states");
            float t = (float) c.call().getDouble("timestep");
            plannedMatchesUnplanned(cpu, b -> unet.forward(b, x, t, ctx), ActivationPlanner.key(x, ctx));
        }
    }

    @Test
    void vaePlannedDecodeIsExactAndKeysAreSeparate() throws Exception {
        try (GoldenCase c = GoldenCase.open(SUITE.resolve("model.vae_decoder")); CpuBackend cpu = new CpuBackend(2)) {
            VaeDecoder vae = VaeDecoder.load(new StateDict(c.weights(), c.id()), c.config());
            Tensor z = c.input("latent");
            plannedMatchesUnplanned(cpu, b -> vae.decode(b, z), ActivationPlanner.key(z));

            // a second shape gets its own plan; the first one's replays stay exact
            ActivationPlanner planner = new ActivationPlanner();
            Tensor small = z.slice(2, 0, z.dim(2) / 2).contiguous();
            float[] refSmall = vae.decode(cpu, small).toFloatArray(), ref = vae.decode(cpu, z).toFloatArray();
            for (int run = 0; run < 2; run++) {
                assertArrayEquals(ref, planner.run(cpu, ActivationPlanner.key(z), b -> vae.decode(b, z)).toFloatArray());
                assertArrayEquals(refSmall, planner.run(cpu, ActivationPlanner.key(small), b -> vae.decode(b, small)).toFloatArray());
            }
            assertTrue(planner.arenaBytes(ActivationPlanner.key(small)) < planner.arenaBytes(ActivationPlanner.key(z)));
            assertEquals(planner.bufferCount(ActivationPlanner.key(z)), planner.bufferCount(ActivationPlanner.key(small)));
        }
    }
}
