package dev.sodec.engine.cuda;

import dev.sodec.engine.tensor.DType;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/** cuBLAS 12 through JCublas2 (needs {@code libcublas.so.12}). */
final class JCublasLibrary implements CublasLibrary {
    private final cublasHandle handle = new cublasHandle();
    private final boolean tf32;

    /** On {@code stream}, with {@code workspace} (device, {@link #WORKSPACE_BYTES}) set after the stream, as cuBLAS asks. */
    JCublasLibrary(cudaStream_t stream, long workspace, boolean tf32) {
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);
        JCublas2.cublasSetStream(handle, stream);
        JCublas2.cublasSetWorkspace(handle, new CUdeviceptr().withByteOffset(workspace), WORKSPACE_BYTES);
        JCublas2.cublasSetMathMode(handle, tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
        this.tf32 = tf32;
    }

    @Override
    public String path() {
        return "cuBLAS 12 (JCublas2, F32 accumulation" + (tf32 ? ", TF32 for F32 GEMMs" : "") + ")";
    }

    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public void gemm(DType t, CublasGemmArgs g, long first, long second, long c, int batch) {
        int opFirst = g.transFirst() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opSecond = g.transSecond() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        Pointer one = Pointer.to(new float[] {1f}), zero = Pointer.to(new float[] {0f});
        int type = CublasLibrary.dataType(t);
        int compute = t == DType.F32 && tf32 ? cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32 : cublasComputeType.CUBLAS_COMPUTE_32F;
        JCublas2.cublasGemmStridedBatchedEx(handle, opFirst, opSecond, g.rows(), g.cols(), g.depth(), one,
                at(first), type, g.ldFirst(), g.strideFirst(), at(second), type, g.ldSecond(), g.strideSecond(), zero,
                at(c), type, g.ldc(), g.strideC(), batch, compute, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT);
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
