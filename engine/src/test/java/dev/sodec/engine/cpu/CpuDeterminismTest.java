package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Results must be bit-identical for any thread count: work is split over outputs, never inside a reduction. */
class CpuDeterminismTest {

    static void assertSameBits(Function<Eager, Tensor> op) {
        float[] one, three;
        try (CpuBackend b1 = new CpuBackend(1); CpuBackend b3 = new CpuBackend(3)) {
            one = op.apply(new Eager(b1)).toFloatArray();
            three = op.apply(new Eager(b3)).toFloatArray();
        }
        int[] a = new int[one.length], b = new int[three.length];
        for (int i = 0; i < a.length; i++) a[i] = Float.floatToRawIntBits(one[i]);
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(three[i]);
        assertArrayEquals(a, b);
    }

    @Test
    void groupNorm() {
        Random r = new Random(11);
        Tensor x = Tensor.fromFloats(CpuOpsTest.randn(r, 2 * 16 * 33 * 31, 2), 2, 16, 33, 31);
        Tensor w = Tensor.fromFloats(CpuOpsTest.randn(r, 16, 1), 16), b = Tensor.fromFloats(CpuOpsTest.randn(r, 16, 1), 16);
        assertSameBits(cpu -> cpu.groupNorm(x, 8, w, b, 1e-6f, false));
        assertSameBits(cpu -> cpu.groupNorm(x, 4, w, b, 1e-5f, true));
    }

    @Test
    void layerNorm() {
        Random r = new Random(12);
        int d = 77;
        Tensor x = Tensor.fromFloats(CpuOpsTest.randn(r, 301 * d, 2), 301, d);
        Tensor w = Tensor.fromFloats(CpuOpsTest.randn(r, d, 1), d), b = Tensor.fromFloats(CpuOpsTest.randn(r, d, 1), d);
        assertSameBits(cpu -> cpu.layerNorm(x, w, b, 1e-5f));
    }

    @Test
    void attention() {
        Random r = new Random(13);
        int t = 3 * CpuAttention.TILE + 5, s = 150, c = 24, heads = 4;
        Tensor q = Tensor.fromFloats(CpuOpsTest.randn(r, 2 * t * c, 1), 2, t, c);
        Tensor k = Tensor.fromFloats(CpuOpsTest.randn(r, 2 * s * c, 1), 2, s, c);
        Tensor v = Tensor.fromFloats(CpuOpsTest.randn(r, 2 * s * c, 1), 2, s, c);
        assertSameBits(cpu -> cpu.attention(q, k, v, heads, 0.4f));
    }

    @Test
    void softmaxAndActivations() {
        Random r = new Random(14);
        Tensor x = Tensor.fromFloats(CpuOpsTest.randn(r, 257 * 301, 3), 257, 301);
        assertSameBits(cpu -> cpu.softmax(x));
        assertSameBits(cpu -> cpu.geluErf(x));
        assertSameBits(cpu -> cpu.silu(x));
    }
}
