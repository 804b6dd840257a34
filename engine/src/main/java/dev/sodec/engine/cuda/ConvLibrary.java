package dev.sodec.engine.cuda;

/**
 * A convolution library the CUDA backend may run a convolution shape on instead of our kernels: cuDNN
 * ({@link CudnnLibrary}). {@link ConvPaths} decides per shape which is faster.
 */
interface ConvLibrary {
    /** What it is, for the backend's description, e.g. "cuDNN 9.1.0 (libcudnn.so.9 via FFM; F32 without TF32)". */
    String path();

    /**
     * Sets up shape {@code s} with the library's fastest admissible algorithm, measured on these device buffers (y is
     * overwritten), needing at most {@code workspaceBytes} of scratch at {@code workspace}; throws, saying why, when
     * the library cannot run it.
     */
    Conv prepare(ConvShape s, long x, long w, long y, long workspace, long workspaceBytes);

    /** One shape set up with its algorithm: the product without bias or epilogue, on any buffers of that shape. */
    interface Conv extends AutoCloseable {
        /** e.g. "cudnn algo 1 (implicit precomp GEMM)". */
        String algorithm();

        /** Queues y = conv(x, w) on the device's stream; no allocation, so it may be recorded into a device graph. */
        void run(long x, long w, long y);

        @Override
        void close();
    }
}
