package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.engine.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FFM cuBLAS binding (the CUDA 13 path) against a recording stand-in library built here with the C compiler:
 * every function is found by its C name and receives its arguments in the C order, types and widths.
 */
class FfmCublasLibraryTest {
    @Test
    void bindsTheCApiWithTheRightSignatures(@TempDir Path tmp) throws Throwable {
        Path so = StubLibrary.compile("/cublas-stub/cublas_stub.c", tmp, "libcublas_stub.so");

        try (Arena arena = Arena.ofConfined()) {
            MethodHandle rec = Linker.nativeLinker().downcallHandle(SymbolLookup.libraryLookup(so, arena).find("stub_record").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            long stream = 0x1234_5678L, workspace = 0x7fff_0000_1000L;
            FfmCublasLibrary lib = new FfmCublasLibrary(so.toString(), stream, workspace, false);
            assertEquals(1L, (long) rec.invokeExact(0), "cublasCreate_v2 once");
            assertEquals(stream, (long) rec.invokeExact(1), "the device's stream");
            assertEquals(workspace, (long) rec.invokeExact(2));
            assertEquals(CublasLibrary.WORKSPACE_BYTES, (long) rec.invokeExact(3));
            assertEquals(0L, (long) rec.invokeExact(4), "default math: no TF32 unless asked");

            // row-major C (5, 7) = A (5, 3) x B^T (B stored (7, 3)), batch 2
            CublasGemmArgs g = CublasGemmArgs.of(5, 7, 3, 15, false, 21, true);
            lib.gemm(DType.BF16, g, 0x1000, 0x2000, 0x3000, 2);
            long[] got = new long[22];
            for (int i = 0; i < got.length; i++) got[i] = (long) rec.invokeExact(8 + i);
            long[] want = {1, 0, 7, 5, 3, 0x1000, 14, 3, 21, 0x2000, 14, 3, 15, 0x3000, 14, 7, 35, 2, 68, -1, 1000, 0};
            assertArrayEquals(want, got, "transa, transb, m, n, k, A, Atype, lda, strideA, B, Btype, ldb, strideB, C, Ctype, "
                    + "ldc, strideC, batch, compute, algo, alpha*1000, beta*1000");
            lib.close();
            assertEquals(1L, (long) rec.invokeExact(5), "cublasDestroy_v2 once");

            FfmCublasLibrary tf32 = new FfmCublasLibrary(so.toString(), stream, workspace, true);
            assertEquals(3L, (long) rec.invokeExact(4), "CUBLAS_TF32_TENSOR_OP_MATH when asked");
            tf32.gemm(DType.F32, g, 1, 2, 3, 1);
            assertEquals(77L, (long) rec.invokeExact(8 + 18), "CUBLAS_COMPUTE_32F_FAST_TF32 for F32 GEMMs");
            tf32.close();
        }
    }
}
