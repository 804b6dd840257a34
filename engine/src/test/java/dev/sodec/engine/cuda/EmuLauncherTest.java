package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.EMU;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The emulator's execution model, checked through the selftest kernels: barriers and dynamic shared memory, warp
 * shuffles and ballots against their CUDA definitions, atomics across concurrently running blocks, 3-D indices, and
 * the refusals (unknown kernel, wrong arguments, illegal geometry, deadlock) that must be exceptions, not crashes.
 */
class EmuLauncherTest {

    @Test
    void registryHoldsEveryKernelFamilyForEveryDtype() {
        List<String> names = EmuKernelLauncher.kernelNames();
        for (String base : List.of("unary", "binary", "geglu", "copy_slice", "layer_norm", "group_norm_stats",
                "group_norm_apply", "gdn", "upsample_nearest", "resize_bilinear", "pixel_shuffle", "conv2d", "conv_transpose2d",
                "softmax", "transpose", "gemm")) {
            for (String s : List.of("f32", "f16", "bf16")) assertTrue(names.contains(base + "_" + s), base + "_" + s);
        }
        for (int c = 1; c <= 5; c++) assertTrue(names.contains("attention_f16_c" + c));
    }

    @Test
    void sharedMemoryAndBarrierReverseEachBlock() {
        int threads = 96, blocks = 3;   // 96 = three warps, several blocks
        int[] in = new int[threads * blocks];
        for (int i = 0; i < in.length; i++) in[i] = i * 7 + 1;
        Tensor x = Tensor.fromInts(in, in.length);
        Tensor y = Tensor.fromInts(new int[in.length], in.length);
        EMU.launch("selftest_reverse", Dim3.of(blocks), Dim3.of(threads), threads * 4,
                KernelArgs.of().ptr(x.data().address()).ptr(y.data().address()));
        int[] out = y.toIntArray();
        for (int b = 0; b < blocks; b++) {
            for (int t = 0; t < threads; t++) assertEquals(in[b * threads + threads - 1 - t], out[b * threads + t]);
        }
    }

    @Test
    void missingBarrierIsCaughtEveryTime() {
        int threads = 64;
        int[] in = new int[threads];
        for (int i = 0; i < threads; i++) in[i] = i + 100;
        Tensor x = Tensor.fromInts(in, threads);
        for (int run = 0; run < 3; run++) {
            Tensor y = Tensor.fromInts(new int[threads], threads);
            EMU.launch("selftest_reverse_racy", Dim3.of(1), Dim3.of(threads), threads * 4,
                    KernelArgs.of().ptr(x.data().address()).ptr(y.data().address()));
            int[] out = y.toIntArray();
            // Threads 63..32 read slots 0..31 before threads 0..31 have written them: poison (0xffffffff = -1).
            for (int t = threads / 2; t < threads; t++) assertEquals(-1, out[t], "thread " + t);
        }
    }

    @Test
    void warpShufflesAndBallotFollowCudaSemantics() {
        int n = 64;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) in[i] = (i % 3 == 0 ? -1 : 1) * (i + 0.5f);
        Tensor x = Tensor.fromFloats(in, n);
        Tensor y = Tensor.fromFloats(new float[5 * n], 5 * n);
        EMU.launch("selftest_warp", Dim3.of(1), Dim3.of(n), 0, KernelArgs.of().ptr(x.data().address()).ptr(y.data().address()));
        float[] out = y.toFloatArray();
        for (int i = 0; i < n; i++) {
            int warp = i / 32, lane = i % 32, base = warp * 32;
            float sum = 0;
            for (int l = 0; l < 32; l++) sum += in[base + l];
            long ballot = 0;
            for (int l = 0; l < 32; l++) if (in[base + l] > 0) ballot |= 1L << l;
            assertEquals(sum, out[5 * i], 1e-3f, "warp sum");
            assertEquals(lane + 1 < 32 ? in[i + 1] : in[i], out[5 * i + 1], "shfl_down 1");
            assertEquals(lane >= 3 ? in[i - 3] : in[i], out[5 * i + 2], "shfl_up 3");
            assertEquals(in[base + (lane & ~7) + 5], out[5 * i + 3], "shfl idx 5, width 8");
            assertEquals((float) ballot, out[5 * i + 4], "ballot");
        }
    }

    @Test
    void atomicsFromConcurrentBlocksCountEveryElement() {
        int n = 10_007;   // odd: the last block's threads partly idle
        int[] in = new int[n];
        int[] expected = new int[16];
        for (int i = 0; i < n; i++) {
            in[i] = (i * 2654435761L) % 1000 > 500 ? i : -i;
            expected[((in[i] % 16) + 16) % 16]++;
        }
        Tensor x = Tensor.fromInts(in, n);
        Tensor hist = Tensor.fromInts(new int[16], 16);
        Tensor total = Tensor.fromFloats(new float[1], 1);
        try (EmuKernelLauncher eight = new EmuKernelLauncher(8)) {
            eight.launch("selftest_atomic", Dim3.of(13), Dim3.of(128), 0, KernelArgs.of().ptr(x.data().address()).i32(n)
                    .ptr(hist.data().address()).ptr(total.data().address()));
        }
        assertArrayEquals(expected, hist.toIntArray());
        assertEquals(n, total.getFloat(0));
    }

    @Test
    void threeDimensionalIndicesMatchCudaLinearisation() {
        Dim3 grid = Dim3.of(3, 2, 2), block = Dim3.of(4, 3, 2);
        int nt = 24, nb = 12;
        Tensor y = Tensor.fromInts(new int[nt * nb], nt * nb);
        EMU.launch("selftest_index", grid, block, 0, KernelArgs.of().ptr(y.data().address()));
        int[] out = y.toIntArray();
        for (int bz = 0; bz < 2; bz++) for (int by = 0; by < 2; by++) for (int bx = 0; bx < 3; bx++)
            for (int tz = 0; tz < 2; tz++) for (int ty = 0; ty < 3; ty++) for (int tx = 0; tx < 4; tx++) {
                int b = (bz * 2 + by) * 3 + bx, t = (tz * 3 + ty) * 4 + tx;
                assertEquals(((bz * 16 + by) * 16 + bx) * 4096 + (tz * 16 + ty) * 16 + tx, out[b * nt + t]);
            }
    }

    @Test
    void deadlockIsReportedNotHung() {
        Tensor y = Tensor.fromFloats(new float[64], 64);
        KernelLaunchException e = assertThrows(KernelLaunchException.class, () -> EMU.launch("selftest_deadlock",
                Dim3.of(1), Dim3.of(64), 0, KernelArgs.of().ptr(y.data().address())));
        assertTrue(e.getMessage().contains("deadlock"), e.getMessage());
    }

    @Test
    void kernelTrapIsReportedWithBlockAndThread() {
        KernelLaunchException e = assertThrows(KernelLaunchException.class, () -> EMU.launch("selftest_trap",
                Dim3.of(3), Dim3.of(64), 0, KernelArgs.of().i32(37)));
        assertTrue(e.getMessage().contains("block (1,0,0), thread 37") && e.getMessage().contains("__trap"), e.getMessage());
        // The library stays usable after a fault.
        EMU.launch("selftest_trap", Dim3.of(3), Dim3.of(64), 0, KernelArgs.of().i32(-1));
    }

    @Test
    void badLaunchesAreRefusedWithTheReason() {
        Tensor y = Tensor.fromFloats(new float[64], 64);
        long p = y.data().address();
        assertMessage("no kernel named", () -> EMU.launch("no_such_kernel", Dim3.of(1), Dim3.of(32), 0, KernelArgs.of()));
        assertMessage("arguments given", () -> EMU.launch("selftest_reverse", Dim3.of(1), Dim3.of(32), 128, KernelArgs.of().ptr(p)));
        assertMessage("argument 1", () -> EMU.launch("selftest_reverse", Dim3.of(1), Dim3.of(32), 128, KernelArgs.of().ptr(p).i64(p)));
        assertMessage("argument 0", () -> EMU.launch("selftest_reverse", Dim3.of(1), Dim3.of(32), 128, KernelArgs.of().i32(1).ptr(p)));
        assertMessage("at most 1024 threads", () -> EMU.launch("selftest_reverse", Dim3.of(1), Dim3.of(2048), 0, KernelArgs.of().ptr(p).ptr(p)));
        assertMessage("shared memory", () -> EMU.launch("selftest_reverse", Dim3.of(1), Dim3.of(32), 64 * 1024, KernelArgs.of().ptr(p).ptr(p)));
        assertMessage("invalid grid", () -> EMU.launch("selftest_reverse", Dim3.of(1, 70000), Dim3.of(32), 128, KernelArgs.of().ptr(p).ptr(p)));
        assertThrows(IllegalArgumentException.class, () -> Dim3.of(0));
    }

    private static void assertMessage(String part, Runnable r) {
        KernelLaunchException e = assertThrows(KernelLaunchException.class, r::run);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
