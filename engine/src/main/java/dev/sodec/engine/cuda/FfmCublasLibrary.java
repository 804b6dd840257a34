package dev.sodec.engine.cuda;

import dev.sodec.engine.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * cuBLAS through Java's foreign function API (Panama), for machines where JCublas2 cannot bind: {@code
 * libcublas.so.13} (CUDA 13) exports the same C API under another soname, and JCublas 12's natives link the
 * versioned {@code .so.12} symbols. Binds the seven functions the device needs by their C signatures.
 */
final class FfmCublasLibrary implements CublasLibrary {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    private static final int CUBLAS_TF32_TENSOR_OP_MATH = 3, CUBLAS_DEFAULT_MATH = 0;
    private static final int CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_FAST_TF32 = 77, CUBLAS_GEMM_DEFAULT = -1;

    private final Arena arena = Arena.ofShared();
    private final String library;
    private final boolean tf32;
    private final MethodHandle destroy, gemmEx;
    private final MemorySegment handle, one, zero;

    /**
     * @param library a soname ({@code libcublas.so.13}) or a path
     * @param stream the CUstream's native handle (cudaStream_t is the same pointer)
     * @param workspace device memory of {@link #WORKSPACE_BYTES}, set after the stream as cuBLAS asks
     */
    FfmCublasLibrary(String library, long stream, long workspace, boolean tf32) {
        this.library = library;
        this.tf32 = tf32;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(library, arena);
        MethodHandle create = bind(linker, lib, "cublasCreate_v2", FunctionDescriptor.of(INT, PTR));
        MethodHandle setStream = bind(linker, lib, "cublasSetStream_v2", FunctionDescriptor.of(INT, PTR, PTR));
        MethodHandle setWorkspace = bind(linker, lib, "cublasSetWorkspace_v2", FunctionDescriptor.of(INT, PTR, PTR, LONG));
        MethodHandle setMath = bind(linker, lib, "cublasSetMathMode", FunctionDescriptor.of(INT, PTR, INT));
        destroy = bind(linker, lib, "cublasDestroy_v2", FunctionDescriptor.of(INT, PTR));
        // (handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc,
        //  strideC, batchCount, computeType, algo)
        gemmEx = bind(linker, lib, "cublasGemmStridedBatchedEx", FunctionDescriptor.of(INT, PTR, INT, INT, INT, INT, INT,
                PTR, PTR, INT, INT, LONG, PTR, INT, INT, LONG, PTR, PTR, INT, INT, LONG, INT, INT, INT));
        MemorySegment out = arena.allocate(PTR);
        check("cublasCreate", invoke(create, out));
        handle = out.get(PTR, 0);
        check("cublasSetStream", invoke(setStream, handle, MemorySegment.ofAddress(stream)));
        check("cublasSetWorkspace", invoke(setWorkspace, handle, MemorySegment.ofAddress(workspace), WORKSPACE_BYTES));
        check("cublasSetMathMode", invoke(setMath, handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
        one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException("cuBLAS library lacks " + name));
        return linker.downcallHandle(sym, d);
    }

    private static int invoke(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(String what, int status) {
        if (status != 0) throw new IllegalStateException(what + " failed: cublasStatus " + status);
    }

    @Override
    public String path() {
        return "cuBLAS via FFM (" + library + ", F32 accumulation" + (tf32 ? ", TF32 for F32 GEMMs" : "") + ")";
    }

    @Override
    public void gemm(DType t, CublasGemmArgs g, long first, long second, long c, int batch) {
        int type = CublasLibrary.dataType(t);
        int compute = t == DType.F32 && tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
        try {
            int status = (int) gemmEx.invokeExact(handle, g.transFirst() ? 1 : 0, g.transSecond() ? 1 : 0, g.rows(), g.cols(),
                    g.depth(), one, MemorySegment.ofAddress(first), type, g.ldFirst(), g.strideFirst(),
                    MemorySegment.ofAddress(second), type, g.ldSecond(), g.strideSecond(), zero, MemorySegment.ofAddress(c),
                    type, g.ldc(), g.strideC(), batch, compute, CUBLAS_GEMM_DEFAULT);
            check("cublasGemmStridedBatchedEx", status);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            invoke(destroy, handle);
        } finally {
            arena.close();
        }
    }
}
