package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.DType;
import org.junit.jupiter.api.Test;

/** {@link TensorCoreAttentionCases} on the emulator, and the predicates, workspace sizing and refusals. */
class TensorCoreAttentionTest extends TensorCoreAttentionCases {
    @Override
    TcDevice open() {
        return TcDevice.emulated();
    }

    @Test
    void queryChunkFollowsTheWorkspace() {
        long one = TensorCoreKernels.wideAttentionWorkspaceBytes(1, 1, 6144);
        assertEquals(6144, TensorCoreKernels.wideAttentionQueryChunk(Long.MAX_VALUE / 4, 1, 6144, 6144));
        assertEquals(1, TensorCoreKernels.wideAttentionQueryChunk(one, 1, 6144, 6144));
        assertEquals(256, TensorCoreKernels.wideAttentionQueryChunk(300 * (one - 256) + 256, 1, 6144, 6144));
        assertEquals(0, TensorCoreKernels.wideAttentionQueryChunk(one - 300, 1, 6144, 6144));
    }

    @Test
    void predicatesRefuseWhatTheKernelsDoNotHandle() {
        AttentionLayout l = AttentionLayout.tokensMajor(16, 2, 64);
        assertNull(TensorCoreKernels.attentionUnsupported(DType.F16, 1, 2, 64, l, l, l, l));
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.F16, 1, 2, 36, l, l, l, l).contains("multiples of 8"));
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.F16, 1, 1, 168, l, l, l, l).contains("160"));
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.F32, 1, 2, 64, l, l, l, l).contains("F16 or BF16"));
        AttentionLayout odd = new AttentionLayout(1000, 60, 124);   // head stride 60: rows not 16-byte aligned
        assertTrue(TensorCoreKernels.attentionUnsupported(DType.BF16, 1, 2, 64, l, odd, l, l).contains("multiples of 8"));
        assertNull(TensorCoreKernels.wideAttentionUnsupported(DType.BF16, 1, 4096, 512, l, l, l, l));
        assertTrue(TensorCoreKernels.wideAttentionUnsupported(DType.BF16, 1, 4096, 500, l, l, l, l).contains("multiples of 8"));
        assertThrows(IllegalArgumentException.class, () -> dev.tc.attention(DType.F16, 0, l, 0, l, 0, l, 0, l, 1, 1, 4, 4, 36, 1f));
        assertThrows(IllegalArgumentException.class, () -> dev.tc.attentionWide(DType.F16, 0, l, 0, l, 0, l, 0, l, 1, 1, 4, 4, 64, 1f, 0, 16));
    }
}
