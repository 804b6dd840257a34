package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cuda.CudaBackend;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The whole golden SD 2.1 UNet on cuda-emulated with activations resident on the device: the only host/device
 * copies are its two inputs and the host-computed sinusoidal timestep embedding going up, every weight going up
 * once, and eps coming down once; and eps still matches the golden output under the case's tolerance.
 */
class CudaResidencyConformanceTest {
    private static final Path CASE = Path.of(System.getProperty("sodec.shared")).resolve("golden/model.unet2d_condition.sd21_t999");

    @Test
    void goldenUnetMovesOnlyInputsWeightsAndResult() throws Exception {
        try (GoldenCase c = GoldenCase.open(CASE); CudaBackend be = (CudaBackend) Backends.create("cuda-emulated", 2)) {
            UNet2DConditionModel unet = OpKinds.load(c, sd -> UNet2DConditionModel.load(sd, c.config()));
            float t = (float) c.call().getDouble("timestep");
            // writable copies: read-only (mmapped) inputs would be cached like weights
            Tensor sample = copy(c.input("sample")), ehs = copy(c.input("encoder_hidden_states"));
            var start = be.transfers();
            Tensor eps = unet.forward(be, be.toDevice(sample), t, be.toDevice(ehs));
            assertTrue(eps.onDevice(), "the UNet's result is still on the device");
            var run = be.transfers().minus(start);
            assertEquals(3, run.uploads(), "sample, encoder_hidden_states and the timestep embedding (computed on the host)");
            assertEquals(c.weights().size(), run.weightUploads(), "every weight once");
            assertEquals(0, run.downloads(), "no activation comes back to the host");

            double[] tol = c.tolerance("eps");
            Comparison r = Comparison.compare("eps", eps, c.expected("eps"), tol[0], tol[1]);
            assertTrue(r.pass(), r.toString());
            assertEquals(1, be.transfers().minus(start).downloads(), "eps, once");

            var before = be.transfers();
            unet.forward(be, be.toDevice(sample), t, be.toDevice(ehs)).toFloatArray();
            var second = be.transfers().minus(before);
            assertEquals(3, second.uploads());
            assertEquals(0, second.weightUploads(), "weights stay on the device");
            assertEquals(1, second.downloads());
        }
    }

    private static Tensor copy(Tensor t) {
        return Tensor.fromFloats(t.toFloatArray(), t.shape());
    }
}
