package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.TcSupport.stored;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.DType;
import org.junit.jupiter.api.Test;

/** {@link TensorCoreGemmCases} on the emulator, and the GEMM predicate and launch-time refusals. */
class TensorCoreGemmTest extends TensorCoreGemmCases {
    @Override
    TcDevice open() {
        return TcDevice.emulated();
    }

    @Test
    void predicateRefusesUnalignedOperands() {
        assertNull(TensorCoreKernels.gemmUnsupported(DType.BF16, 1, 10, 10, 16, 8, 0, 0));
        assertTrue(TensorCoreKernels.gemmUnsupported(DType.BF16, 1, 10, 10, 12, 8, 0, 0).contains("% 8"));
        assertTrue(TensorCoreKernels.gemmUnsupported(DType.F16, 2, 10, 10, 16, 8, 4, 0).contains("% 8"));
        assertTrue(TensorCoreKernels.gemmUnsupported(DType.F32, 1, 10, 10, 16, 8, 0, 0).contains("F16 or BF16"));
        assertThrows(IllegalArgumentException.class, () -> dev.tc.linear(DType.F16, 0, 0, 0, 0, 4, 12, 4, TensorCoreEpilogue.NONE));
        long x = dev.put(stored(DType.F16, 1, -1, 1, 4, 8));
        assertThrows(IllegalArgumentException.class,
                () -> dev.tc.linear(DType.F16, x + 8, x, 0, x, 1, 8, 1, TensorCoreEpilogue.NONE));
    }
}
