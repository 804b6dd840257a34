package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The three networks inside the golden pipeline.sodec case (weights under unet., vae., vit.; the case's own
 * sub-configs), each fed the case's recorded input of that stage: eps = unet(y_t, 999, c_g) and
 * x_hat = clamp((vae(y0 / 0.18215) + 1) / 2). The ViT is checked through c_g = proj(hidden_states[-2]) with the
 * case's Linear + LayerNorm, its input being x_f resized (bilinear) and CLIP-normalised.
 */
class PipelineSubmodelsTest {
    private static GoldenCase open() throws Exception {
        return GoldenCase.open(Path.of(System.getProperty("sodec.shared")).resolve("golden/pipeline.sodec"));
    }

    private static void assertClose(GoldenCase c, String name, Tensor got) {
        double[] t = c.tolerance(name);
        Comparison cmp = Comparison.compare(name, got, c.expected(name), t[0], t[1]);
        assertTrue(cmp.pass(), name + ": " + cmp.detail() + " rel_l2 " + cmp.relL2() + " max_abs " + cmp.maxAbs());
    }

    @Test
    void unetEps() throws Exception {
        try (GoldenCase c = open(); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine(c.naming(), c.weights()), c.id());
            UNet2DConditionModel unet = UNet2DConditionModel.load(sd.scope("unet"), c.config().getObject("unet"));
            float t = (float) c.config().getInt("timestep");
            assertClose(c, "eps", new Eager(cpu).run((g, n) -> unet.forward(g, n[0], t, n[1]), c.expected("y_t"), c.expected("c_g")));
        }
    }

    @Test
    void vaeImage() throws Exception {
        try (GoldenCase c = open(); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine(c.naming(), c.weights()), c.id());
            VaeDecoder vae = VaeDecoder.load(sd.scope("vae"), c.config().getObject("vae"));
            float sf = (float) c.config().getDouble("scaling_factor");
            Tensor xHat = new Eager(cpu).run((g, n) -> g.clamp(g.scale(vae.decode(g, g.scale(n[0], 1f / sf, 0f)), 0.5f, 0.5f), 0f, 1f),
                    c.expected("y0"));
            assertClose(c, "x_hat", xHat);
        }
    }

    @Test
    void vitGuidanceTokens() throws Exception {
        try (GoldenCase c = open(); CpuBackend cpu = new CpuBackend(2)) {
            StateDict sd = new StateDict(NameMaps.toEngine(c.naming(), c.weights()), c.id());
            ClipVisionModel vit = ClipVisionModel.load(sd.scope("vit"), c.config().getObject("vit"));
            int s = vit.config.imageSize(), d = vit.config.hiddenSize(), cross = c.config().getInt("cross_dim");
            Eager cpuOps = new Eager(cpu);
            Tensor px = cpuOps.resizeBilinear(c.expected("x_f"), s, s);
            float[] mean = {0.48145466f, 0.4578275f, 0.40821073f}, std = {0.26862954f, 0.26130258f, 0.27577711f};
            Tensor[] ch = new Tensor[3];
            for (int i = 0; i < 3; i++) ch[i] = cpuOps.scale(cpuOps.scale(px.slice(1, i, i + 1).contiguous(), 1f, -mean[i]), 1f / std[i], 0f);
            px = cpuOps.concat(1, ch);
            Tensor h = cpuOps.run((g, n) -> vit.hiddenState(g, n[0], -2), px);
            Tensor cg = cpuOps.layerNorm(cpuOps.linear(h, sd.take("proj.linear.weight", cross, d), sd.take("proj.linear.bias", cross)),
                    sd.take("proj.norm.weight", cross), sd.take("proj.norm.bias", cross), 1e-5f);
            assertClose(c, "c_g", cg);
        }
    }
}
