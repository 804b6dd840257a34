package dev.sodec.codec.onedc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.conformance.Kinds;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * x0 without float64 ops: on the golden LoRA UNet case, the float32 graph's x0 = x_t a + eps b is within 2.5 float32
 * ulps of |x_t a| + |eps b| from the reference's float64 formula applied to the same x_t and eps: a and b rounded
 * (half an ulp each), the two products (half each) and the sum (half an ulp of a value up to |x_t a| + |eps b|).
 */
class OneStepUNetTest {
    @Test
    void x0IsTheFloat64FormulaRoundedToFloat32() throws Exception {
        Path dir = Path.of(System.getProperty("sodec.shared")).resolve("golden/onedc.unet_lora.tiny");
        Map<String, Tensor> out;
        try (GoldenCase c = GoldenCase.open(dir); Backend b = Backends.create("cpu", 2)) {
            out = Kinds.all().get("onedc.unet_lora").run(c, b);
        }
        float[] eps = out.get("eps").toFloatArray(), xt = out.get("x_t").toFloatArray(), x0 = out.get("x0").toFloatArray();
        double abar = out.get("abar_999").toFloatArray()[0];
        double c0 = Math.sqrt(abar), c1 = Math.sqrt(1 - abar);
        double worst = 0;
        for (int i = 0; i < x0.length; i++) {
            double exact = (xt[i] - c1 * eps[i]) / c0;
            double ulp = Math.ulp((float) (Math.abs(xt[i] / c0) + Math.abs(c1 * eps[i] / c0)));
            worst = Math.max(worst, Math.abs(x0[i] - exact) / ulp);
        }
        assertTrue(worst <= 2.5, "x0 off by " + worst + " ulps");
    }
}
