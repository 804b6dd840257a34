package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.TcSupport.stored;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link TensorCoreConvCases} on the emulator, and the shape predicates and launch-time refusals. */
class TensorCoreConvTest extends TensorCoreConvCases {
    @Override
    TcDevice open() {
        return TcDevice.emulated();
    }

    @Test
    void predicatesRefuseWhatTheKernelsDoNotHandle() {
        Conv2dParams p = Conv2dParams.of(1, 1);
        assertNull(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 8, 8, 8, 8, 3, 3, p));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 4, 8, 8, 8, 3, 3, p).contains("% 8"));   // VAE conv_in
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 3, 8, 8, 8, 5, 5, Conv2dParams.of(2, 2)).contains("% 8"));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.BF16, 1, 16, 8, 8, 16, 3, 3, Conv2dParams.of(1, 1, 1, 16)).contains("groups"));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F32, 1, 16, 8, 8, 16, 3, 3, p).contains("F16 or BF16"));
        assertTrue(TensorCoreKernels.conv2dUnsupported(DType.F16, 1, 16, 2, 2, 16, 5, 5, Conv2dParams.of(1, 0)).contains("empty"));
        assertFalse(TensorCoreKernels.supportsConvTranspose2d(DType.F16, 1, 16, 4, 4, 16, 3, 3,
                new Conv2dParams(2, 2, 1, 1, 2, 2, 1, 0, 0)));   // dilated transposed
        assertTrue(TensorCoreKernels.supportsConvTranspose2d(DType.BF16, 1, 16, 4, 4, 16, 5, 5, Conv2dParams.transposed(2, 2, 1)));
        // the launch re-checks and says why
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dev.tc.conv2d(DType.F16, 0, 0, 0, 0, false, 1, 12, 8, 8, 8, 3, 3, p, TensorCoreEpilogue.NONE));
        assertTrue(e.getMessage().contains("% 8"), e.getMessage());
        // misaligned operands are refused before the launch
        Tensor x = stored(DType.F16, 1, -1, 1, 1, 8, 4, 4), wt = stored(DType.F16, 2, -1, 1, 8, 8, 1, 1);
        long xd = dev.put(x), wd = dev.put(wt), yd = dev.alloc(x.byteSize());
        assertThrows(IllegalArgumentException.class, () -> dev.tc.conv2d(DType.F16, xd + 2, wd, 0, yd, false,
                1, 8, 4, 4, 8, 1, 1, Conv2dParams.of(1, 0), TensorCoreEpilogue.NONE));
    }
}
