package dev.sodec.engine.cuda;

import dev.sodec.engine.tensor.DType;

/**
 * cuBLAS as the device uses it: one handle on the device's stream, a fixed workspace (so a GEMM inside a CUDA graph
 * capture never allocates), F32 accumulation for every storage type (TF32 only when asked for). Two bindings:
 * JCublas2 where {@code libcublas.so.12} loads ({@link JCublasLibrary}), our FFM binding otherwise
 * ({@link FfmCublasLibrary}, e.g. {@code libcublas.so.13} on a CUDA 13 machine).
 */
interface CublasLibrary extends AutoCloseable {
    /** Workspace cuBLAS gets per handle: enough for its tensor-op GEMM kernels. */
    long WORKSPACE_BYTES = 32L << 20;

    /** What this binding is, for the backend's description. */
    String path();

    /**
     * Column-major strided-batched GEMM C = op(first) op(second) with alpha 1, beta 0, arguments from
     * {@link CublasGemmArgs}; operands and result stored as {@code t}.
     */
    void gemm(DType t, CublasGemmArgs g, long first, long second, long c, int batch);

    @Override
    void close();

    /** cuBLAS's data type code of a storage type (cudaDataType). */
    static int dataType(DType t) {
        return switch (t) {
            case F32 -> 0;      // CUDA_R_32F
            case F16 -> 2;      // CUDA_R_16F
            case BF16 -> 14;    // CUDA_R_16BF
            default -> throw new IllegalArgumentException("cuBLAS GEMM on " + t);
        };
    }
}
