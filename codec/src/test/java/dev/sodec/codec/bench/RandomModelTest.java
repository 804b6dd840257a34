package dev.sodec.codec.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RandomModelTest {
    /** A config different from the presets: the generator follows the config, not a fixed layout. */
    static final String CUSTOM = """
            {"compression": {"N": 8, "M": 12},
             "vit": {"hidden_size": 24, "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 3,
                     "image_size": 28, "patch_size": 14},
             "unet": {"block_out_channels": [16, 32, 32], "attention_head_dim": [2, 2, 4], "cross_attention_dim": 24,
                      "norm_num_groups": 8, "layers_per_block": 1,
                      "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
                      "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]},
             "vae": {"block_out_channels": [16, 16, 32], "layers_per_block": 1, "norm_num_groups": 8,
                     "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}}
            """;

    @Test
    void customConfigBuildsEveryNetworkAtTheRequestedSizes() {
        RandomModel m = RandomModel.fromConfig("custom", Config.parse(CUSTOM, "custom"), 3);
        assertEquals(8, m.compression.config().N());
        assertEquals(12, m.compression.config().M());
        assertEquals(4, m.vaeFactor);
        assertEquals(28, m.vitImageSize);
        try (CpuBackend b = new CpuBackend(1); Parallel par = new Parallel(1)) {
            Eager e1 = new Eager(b);
            Tensor px = Tensor.zeros(1, 3, 28, 28);
            Tensor cg = e1.run((g, n) -> m.vit.hiddenState(g, n[0], -2), px);
            assertArrayEquals(new int[] {1, 5, 24}, cg.shape());
            Tensor eps = e1.run((g, n) -> m.unet.forward(g, n[0], 999f, n[1]), RandomWeights.random("x", new int[] {1, 4, 16, 8}, 5), cg);
            assertArrayEquals(new int[] {1, 4, 16, 8}, eps.shape());
            Tensor img = e1.run((g, n) -> m.vae.decode(g, n[0]), eps);
            assertArrayEquals(new int[] {1, 3, 64, 32}, img.shape());
            for (float v : img.toFloatArray()) assertTrue(Float.isFinite(v));
            // the compression model codes and decodes its own stream (valid entropy tables)
            Tensor x = PipelineBench.syntheticImage(64, 64);
            HyperpriorCodec.Encoded e = m.compression.codec().compress(b, par, x);
            HyperpriorCodec.Decoded d = m.compression.codec().decompress(b, par, e.yString(), e.zString(), 1, 1);
            assertArrayEquals(e.ySymbols().toIntArray(), symbolsOf(d.yHat(), d.means()));
            assertArrayEquals(new int[] {1, 3, 64, 64}, d.xHat().shape());
        }
        // parameter count from the configs: VAE post_quant_conv alone is 4*4 + 4
        assertTrue(m.parameters > 20);
    }

    private static int[] symbolsOf(Tensor yHat, Tensor means) {
        float[] y = yHat.toFloatArray(), mu = means.toFloatArray();
        int[] s = new int[y.length];
        for (int i = 0; i < y.length; i++) s[i] = (int) Math.rint(y[i] - mu[i]);
        return s;
    }

    @Test
    void weightsAreVariancePreservingAndSeeded() {
        Tensor a = RandomWeights.random("w", new int[] {64, 256}, 9), b = RandomWeights.random("w", new int[] {64, 256}, 9);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        double ss = 0;
        for (float v : a.toFloatArray()) ss += v * v;
        double var = ss / a.numel();
        assertEquals(1.0 / 256, var, 0.1 / 256);
        for (float v : RandomWeights.random("norm.weight", new int[] {7}, 1).toFloatArray()) assertEquals(1f, v);
        for (float v : RandomWeights.random("conv.bias", new int[] {7}, 1).toFloatArray()) assertEquals(0f, v);
    }

    @Test
    void mismatchedCrossAttentionWidthIsRefused() {
        String bad = CUSTOM.replace("\"cross_attention_dim\": 24", "\"cross_attention_dim\": 16");
        assertThrows(IllegalArgumentException.class, () -> RandomModel.fromConfig("bad", Config.parse(bad, "bad"), 1));
    }
}
