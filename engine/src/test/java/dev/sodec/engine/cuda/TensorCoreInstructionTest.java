package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link TensorCoreInstructionCases} on the emulator, and the misuse it must refuse with a message (ldmatrix or
 * cp.async outside dynamic shared memory, misaligned copies, mma in a partial warp): undefined on a GPU.
 */
class TensorCoreInstructionTest extends TensorCoreInstructionCases {
    @Override
    TcDevice open() {
        return TcDevice.emulated();
    }

    @Test
    void misuseIsRefused() {
        long g = dev.alloc(1024);
        String[] expected = {"not in the block's dynamic shared memory", "not aligned", "full warp",
                "not in the block's dynamic shared memory"};
        for (int what = 0; what < 4; what++) {
            int threads = what == 2 ? 16 : 32;
            int w = what;
            KernelLaunchException e = assertThrows(KernelLaunchException.class, () -> dev.launcher().launch(
                    "tc_selftest_misuse", Dim3.of(1), Dim3.of(threads), 64, KernelArgs.of().ptr(g).i32(w)));
            assertTrue(e.getMessage().contains(expected[what]), e.getMessage());
        }
    }
}
