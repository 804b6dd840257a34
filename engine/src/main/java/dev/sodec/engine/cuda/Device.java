package dev.sodec.engine.cuda;

import dev.sodec.engine.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * What {@link CudaBackend} needs from a CUDA device: raw memory, host/device copies, kernel launches and a GEMM.
 * Two implementations: {@link JCudaDevice} (a real GPU through the JCuda driver API and cuBLAS) and
 * {@link EmulatedDevice} (native host memory, kernels run by the emulator, GEMMs by the CPU backend), so the
 * backend's orchestration is the same code on both. Addresses are device addresses (host addresses when emulated).
 * Work is ordered (one stream): a launch or copy may still be running when the call returns, except
 * {@link #download}, which returns when the bytes are on the host.
 */
public interface Device extends AutoCloseable {
    /** The device in words, e.g. "NVIDIA H100 (sm_90)" or "emulator (4 workers)". */
    String name();

    /** How GEMMs run on this device, e.g. "cuBLAS 12 (JCublas2)" or why the fallback was taken. */
    String gemmPath();

    /**
     * cuDNN on this device's stream, or null where it is not loaded ({@link #convLibraryStatus} says why); the
     * backend offers it each convolution shape ({@link ConvPaths}).
     */
    default ConvLibrary convLibrary() {
        return null;
    }

    /** What {@link #convLibrary} is, or why there is none, e.g. "libcudnn.so.9 not loadable". */
    default String convLibraryStatus() {
        return "no convolution library on this device";
    }

    /** Allocates {@code bytes} (> 0) of device memory aligned to at least 256 bytes. */
    long malloc(long bytes);

    void free(long address);

    /** Copies all of {@code src} (host memory) to device address {@code dst}. */
    void upload(MemorySegment src, long dst);

    /** Copies {@code dst.byteSize()} bytes from device address {@code src} into host memory; waits for them. */
    void download(long src, MemorySegment dst);

    /** Sets {@code bytes} bytes at {@code address} to zero. */
    void zero(long address, long bytes);

    /** Launches our kernels on this device. */
    KernelLauncher launcher();

    /**
     * Row-major batched GEMM, C[i] = op(A[i]) op(B[i]) for i < batch, accumulated in F32 and stored as {@code t}:
     * op(A) is (m, k) (A stored (k, m) when transA), op(B) is (k, n) (B stored (n, k) when transB); C is contiguous
     * (batch, m, n). strideA/strideB are element strides between batches (0 to reuse one matrix).
     */
    void gemm(DType t, int batch, int m, int n, int k, long a, long strideA, boolean transA, long b, long strideB,
              boolean transB, long c);

    /** Copies {@code bytes} bytes between device addresses (queued on the stream). */
    void copy(long src, long dst, long bytes);

    /**
     * Starts recording the stream's work (kernel launches, GEMMs, zero-fills and device copies) into a graph instead
     * of running it, until {@link #endCapture}. Host transfers and frees are not allowed while recording; callers
     * (the backend) make sure none happen. Allocation is allowed.
     */
    void beginCapture();

    /** Stops recording and returns the recorded work as a graph that replays it on every {@link DeviceGraph#launch}. */
    DeviceGraph endCapture();

    /** Stops a recording whose result is not wanted (the recorded work is dropped, none of it runs). */
    void abortCapture();

    /**
     * A marker queued on the stream now (a CUDA event; on the emulator, whose work completes before each call
     * returns, the host time), for timing the work queued between two markers.
     */
    long recordEvent();

    /** Milliseconds between two markers; waits until the later one is reached. Both are destroyed. */
    double elapsedMillis(long start, long end);

    /** Waits until all queued work has finished. */
    void synchronize();

    @Override
    void close();
}
