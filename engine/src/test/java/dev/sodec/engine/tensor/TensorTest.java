package dev.sodec.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorTest {
    private static float[] iota(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = i;
        return f;
    }

    @Test
    void permuteAndSliceAreViewsThatCopyCorrectly() {
        Tensor t = Tensor.fromFloats(iota(24), 2, 3, 4);
        Tensor p = t.permute(2, 0, 1); // (4, 2, 3)
        assertFalse(p.isContiguous());
        float[] got = p.contiguous().toFloatArray();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 3; c++) assertEquals(b * 12 + c * 4 + a, got[(a * 2 + b) * 3 + c]);
        Tensor s = t.slice(1, 1, 3); // (2, 2, 4)
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}, s.contiguous().toFloatArray());
        assertEquals(p.storage(), t.storage());
    }

    @Test
    void reshapeInfersOneDimensionAndChecksCount() {
        Tensor t = Tensor.fromFloats(iota(12), 3, 4);
        assertArrayEquals(new int[] {2, 6}, t.reshape(2, -1).shape());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, -1, 2));
        assertThrows(IllegalStateException.class, () -> t.permute(1, 0).reshape(12));
    }

    @Test
    void halfAndBfloatConversionsRoundTripExactlyRepresentableValues() {
        float[] v = {0f, 1f, -2.5f, 65504f, 0.000061035156f, -0.125f};
        Tensor t = Tensor.fromFloats(v, v.length);
        assertArrayEquals(v, t.toFloatType(DType.F16).toF32().toFloatArray());
        float[] bv = {0f, 1f, -2.5f, 0x1.fep127f, -0.125f};
        assertArrayEquals(bv, Tensor.fromFloats(bv, bv.length).toFloatType(DType.BF16).toF32().toFloatArray());
        // bf16 rounds to nearest even: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 and rounds down to 1.
        assertEquals(1f, Tensor.fromFloats(new float[] {1f + 0x1p-8f}, 1).toFloatType(DType.BF16).toF32().getFloat(0));
    }
}
