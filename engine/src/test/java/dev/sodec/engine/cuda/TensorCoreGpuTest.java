package dev.sodec.engine.cuda;

import org.junit.jupiter.api.Nested;

/**
 * Every tensor-core case (instructions, convolutions, GEMMs, attention) on a real GPU through {@link JCudaDevice}
 * and the fatbin, with the emulator's assertions and tolerances: the check that the inline PTX, the fragment
 * layouts the emulator implements and the kernels agree with the hardware. Skipped, with the reason, where no CUDA
 * driver or GPU is present (CI and the development machines have none).
 */
class TensorCoreGpuTest {
    @Nested
    class Instructions extends TensorCoreInstructionCases {
        @Override
        TcDevice open() {
            return TcDevice.gpu();
        }
    }

    @Nested
    class Convolutions extends TensorCoreConvCases {
        @Override
        TcDevice open() {
            return TcDevice.gpu();
        }
    }

    @Nested
    class Gemms extends TensorCoreGemmCases {
        @Override
        TcDevice open() {
            return TcDevice.gpu();
        }
    }

    @Nested
    class Attention extends TensorCoreAttentionCases {
        @Override
        TcDevice open() {
            return TcDevice.gpu();
        }
    }
}
