package dev.sodec.engine.cuda;

import dev.sodec.engine.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.runtime.cudaStream_t;

/**
 * A real GPU through the JCuda driver API: one context, one stream, our kernels from the fatbin resource
 * ({@code kernels/sodec_kernels.fatbin}, built by the kernels module where nvcc exists) and GEMMs through cuBLAS
 * (JCublas2) when libcublas.so.12 loads, else through our own GEMM kernel ({@link CudaKernels#gemm}); {@link #gemmPath()}
 * says which. cuDNN ({@link CudnnLibrary}) is offered to the backend for convolutions where libcudnn.so.9 loads.
 * JCuda's native libraries are loaded only by {@link #open}, so nothing here touches the driver unless
 * the "cuda" backend is chosen. Every entry point makes the context current on the calling thread.
 */
public final class JCudaDevice implements Device {
    /** Classpath location of the fatbin built by kernels/build.sh. */
    public static final String FATBIN = "/kernels/sodec_kernels.fatbin";

    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final String deviceName;
    private final CUdevice cuDevice = new CUdevice();
    private final CublasLibrary cublas;   // null: our GEMM kernel
    private final long cublasWorkspace;
    private final String gemmPath;
    private final CudnnLibrary cudnn;   // null: convolutions on our kernels only
    private final String cudnnStatus;
    private final PinnedStaging staging;
    private final CudaKernels kernels;
    private final KernelLauncher launcher = new Launcher();
    private boolean closed;

    /** A CUdeviceptr whose raw address we can read (the accessor is protected in JCuda). */
    private static final class DevPtr extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    /** Throws a clear exception when the driver library cannot be loaded; touches no JCuda class. */
    public static void requireDriver() {
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", a);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("no CUDA driver found (libcuda.so.1 not loadable)", e);
        }
    }

    /** Whether a driver and at least one GPU are present. */
    public static boolean available() {
        try {
            requireDriver();
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = {0};
            JCudaDriver.cuDeviceGetCount(count);
            return count[0] > 0;
        } catch (Throwable t) {
            return false;
        }
    }

    private static boolean loadable(String library) {
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Opens GPU {@code ordinal}; a clear exception when there is no driver, no GPU or no fatbin. */
    public static JCudaDevice open(int ordinal) {
        requireDriver();
        byte[] fatbin = readFatbin();
        try {
            JCudaDriver.setExceptionsEnabled(true);
        } catch (Throwable t) {
            throw new IllegalStateException("JCuda's native library does not load (" + t + "); the CUDA backend needs JCuda 12.x natives", t);
        }
        try {
            return new JCudaDevice(ordinal, fatbin);
        } catch (RuntimeException e) {
            // e.g. CUDA_ERROR_NO_BINARY_FOR_GPU on a GPU older than sm_80, or a driver older than the fatbin's PTX
            throw new IllegalStateException("cannot open CUDA device " + ordinal + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readFatbin() {
        try (InputStream in = JCudaDevice.class.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + FATBIN + " is missing: build the kernels module on a "
                        + "machine with nvcc (/usr/local/cuda/bin/nvcc or $SODEC_NVCC)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FATBIN, e);
        }
    }

    private JCudaDevice(int ordinal, byte[] fatbin) {
        JCudaDriver.cuInit(0);
        int[] count = {0};
        JCudaDriver.cuDeviceGetCount(count);
        if (count[0] == 0) throw new IllegalStateException("the CUDA driver reports no GPU");
        if (ordinal < 0 || ordinal >= count[0]) throw new IllegalArgumentException("GPU " + ordinal + " of " + count[0]);
        CUdevice dev = cuDevice;
        JCudaDriver.cuDeviceGet(dev, ordinal);
        byte[] nameBytes = new byte[256];
        JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, dev);
        int[] major = {0}, minor = {0};
        JCudaDriver.cuDeviceGetAttribute(major, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        JCudaDriver.cuDeviceGetAttribute(minor, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) len++;
        int[] driver = {0};
        JCudaDriver.cuDriverGetVersion(driver);
        deviceName = new String(nameBytes, 0, len) + " (sm_" + major[0] + minor[0] + ", driver CUDA " + driver[0] / 1000 + "."
                + driver[0] % 1000 / 10 + ")";
        // the primary context: the one the runtime API and libraries such as cuBLAS use on this device
        JCudaDriver.cuDevicePrimaryCtxRetain(context, dev);
        JCudaDriver.cuCtxSetCurrent(context);
        JCudaDriver.cuStreamCreate(stream, 0);
        JCudaDriver.cuModuleLoadData(module, fatbin);
        kernels = new CudaKernels(launcher);
        staging = new PinnedStaging();
        boolean tf32 = "1".equals(System.getenv("SODEC_CUDA_TF32"));
        DevPtr ws = new DevPtr();
        JCudaDriver.cuMemAlloc(ws, CublasLibrary.WORKSPACE_BYTES);
        CublasLibrary lib = null;
        String path;
        String why = "";
        if (loadable("libcublas.so.12")) {
            try {
                lib = new JCublasLibrary(new cudaStream_t(stream), ws.address(), tf32);
            } catch (Throwable t) {
                why = "JCublas2 did not initialise: " + t + "; ";
            }
        }
        for (String so : new String[] {"libcublas.so.13", "libcublas.so.12"}) {
            if (lib != null || !loadable(so)) continue;
            try {
                lib = new FfmCublasLibrary(so, new StreamPtr(stream).address(), ws.address(), tf32);
            } catch (Throwable t) {
                why += so + " did not initialise: " + t + "; ";
            }
        }
        if (lib == null) {
            JCudaDriver.cuMemFree(ws);
            cublasWorkspace = 0;
            path = "our CUDA-core GEMM kernel (" + (why.isEmpty() ? "no libcublas.so.12 or .so.13 loadable" : why) + ")";
        } else {
            cublasWorkspace = ws.address();
            path = lib.path();
        }
        cublas = lib;
        gemmPath = path;
        CudnnLibrary dnn = null;
        String dnnStatus;
        if (!loadable(CudnnLibrary.SONAME)) {
            dnnStatus = "cuDNN not used: " + CudnnLibrary.SONAME + " not loadable";
        } else {
            try {
                dnn = new CudnnLibrary(CudnnLibrary.SONAME, new StreamPtr(stream).address(), tf32, this::onDevice);
                dnnStatus = dnn.path();
            } catch (Throwable t) {
                dnnStatus = "cuDNN not used: " + CudnnLibrary.SONAME + " did not initialise: " + t.getMessage();
            }
        }
        cudnn = dnn;
        cudnnStatus = dnnStatus;
    }

    /** Runs a library call with this device's lock held and its context current on the calling thread. */
    private synchronized void onDevice(Runnable call) {
        current();
        call.run();
    }

    @Override
    public ConvLibrary convLibrary() {
        return cudnn;
    }

    @Override
    public String convLibraryStatus() {
        return cudnnStatus;
    }

    /** A CUstream whose raw handle we can read (cudaStream_t is the same pointer). */
    private static final class StreamPtr {
        private final long address;

        StreamPtr(CUstream s) {
            this.address = new jcuda.NativePointerObject(s) {
                long value() {
                    return getNativePointer();
                }
            }.value();
        }

        long address() {
            return address;
        }
    }

    private void current() {
        if (closed) throw new IllegalStateException("CUDA device is closed");
        JCudaDriver.cuCtxSetCurrent(context);
    }

    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public String name() {
        return deviceName;
    }

    @Override
    public String gemmPath() {
        return gemmPath;
    }

    @Override
    public synchronized long malloc(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        current();
        DevPtr p = new DevPtr();
        JCudaDriver.cuMemAlloc(p, bytes);
        return p.address();
    }

    @Override
    public synchronized void free(long address) {
        current();
        JCudaDriver.cuMemFree(at(address));
    }

    /**
     * Through pinned staging buffers: a copy from pageable memory would otherwise be staged by the driver
     * synchronously, and one from memory the garbage collector may free could race the DMA.
     */
    @Override
    public synchronized void upload(MemorySegment src, long dst) {
        current();
        staging.upload(src, dst, stream);
    }

    @Override
    public synchronized void download(long src, MemorySegment dst) {
        current();
        staging.download(src, dst, stream);
    }

    @Override
    public synchronized void zero(long address, long bytes) {
        if (bytes <= 0) return;
        current();
        JCudaDriver.cuMemsetD8Async(at(address), (byte) 0, bytes, stream);
    }

    @Override
    public KernelLauncher launcher() {
        return launcher;
    }

    private final class Launcher implements KernelLauncher {
        @Override
        public String name() {
            return deviceName;
        }

        @Override
        public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
            synchronized (JCudaDevice.this) {
                current();
                CUfunction f = functions.get(kernel);
                if (f == null) {
                    f = new CUfunction();
                    try {
                        JCudaDriver.cuModuleGetFunction(f, module, kernel);
                    } catch (RuntimeException e) {
                        throw new KernelLaunchException("kernel " + kernel + " is not in the fatbin", e);
                    }
                    functions.put(kernel, f);
                }
                Pointer[] params = new Pointer[args.count()];
                for (int i = 0; i < params.length; i++) {
                    params[i] = args.size(i) == 8 ? Pointer.to(new long[] {args.bits(i)}) : Pointer.to(new int[] {(int) args.bits(i)});
                }
                try {
                    JCudaDriver.cuLaunchKernel(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes,
                            stream, Pointer.to(params), null);
                } catch (RuntimeException e) {
                    throw new KernelLaunchException("launch of " + kernel + " grid " + grid + " block " + block + " failed", e);
                }
            }
        }
    }

    @Override
    public synchronized void gemm(DType t, int batch, int m, int n, int k, long a, long strideA, boolean transA, long b,
                                  long strideB, boolean transB, long c) {
        if (cublas == null) {
            kernels.gemm(t, a, b, c, 0, batch, m, n, k, transA, transB, strideA, strideB, (long) m * n, 1f, 0f);
            return;
        }
        current();
        cublas.gemm(t, CublasGemmArgs.of(m, n, k, strideA, transA, strideB, transB), b, a, c, batch);
    }

    @Override
    public synchronized void copy(long src, long dst, long bytes) {
        if (bytes <= 0) return;
        current();
        JCudaDriver.cuMemcpyDtoDAsync(at(dst), at(src), bytes, stream);
    }

    private boolean capturing;

    /**
     * Relaxed mode: the pool may cuMemAlloc while a capture runs (the backend never frees, copies to or from the host
     * or synchronizes during one). cuBLAS calls are captured like kernels (cuBLAS supports stream capture).
     */
    @Override
    public synchronized void beginCapture() {
        if (capturing) throw new IllegalStateException("a graph capture is already running");
        current();
        JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        capturing = true;
    }

    @Override
    public synchronized DeviceGraph endCapture() {
        if (!capturing) throw new IllegalStateException("no graph capture is running");
        current();
        CUgraph graph = new CUgraph();
        capturing = false;
        JCudaDriver.cuStreamEndCapture(stream, graph);
        CUgraphExec exec = new CUgraphExec();
        try {
            JCudaDriver.cuGraphInstantiate(exec, graph, 0);
        } catch (RuntimeException e) {
            JCudaDriver.cuGraphDestroy(graph);
            throw e;
        }
        long[] nodes = {-1};
        try {
            JCudaDriver.cuGraphGetNodes(graph, null, nodes);   // a null array asks for the count only
        } catch (RuntimeException e) {
            nodes[0] = -1;   // the count is informational; the graph is fine
        }
        int count = (int) nodes[0];
        return new DeviceGraph() {
            private boolean closed;

            @Override
            public void launch() {
                synchronized (JCudaDevice.this) {
                    if (closed) throw new IllegalStateException("graph is closed");
                    current();
                    JCudaDriver.cuGraphLaunch(exec, stream);
                }
            }

            @Override
            public int operations() {
                return count;
            }

            @Override
            public void close() {
                synchronized (JCudaDevice.this) {
                    if (closed || JCudaDevice.this.closed) return;
                    closed = true;
                    current();
                    JCudaDriver.cuStreamSynchronize(stream);   // a queued replay may still use it
                    JCudaDriver.cuGraphExecDestroy(exec);
                    JCudaDriver.cuGraphDestroy(graph);
                }
            }
        };
    }

    @Override
    public synchronized void abortCapture() {
        if (!capturing) return;
        current();
        capturing = false;
        CUgraph graph = new CUgraph();
        try {
            JCudaDriver.cuStreamEndCapture(stream, graph);
            JCudaDriver.cuGraphDestroy(graph);
        } catch (RuntimeException e) {
            // an invalidated capture ends with an error and no graph; the stream is usable again either way
        }
    }

    private final Map<Long, jcuda.driver.CUevent> events = new HashMap<>();
    private long nextEvent;

    @Override
    public synchronized long recordEvent() {
        jcuda.driver.CUevent e = new jcuda.driver.CUevent();
        JCudaDriver.cuEventCreate(e, jcuda.driver.CUevent_flags.CU_EVENT_DEFAULT);
        JCudaDriver.cuEventRecord(e, stream);
        long id = ++nextEvent;
        events.put(id, e);
        return id;
    }

    @Override
    public synchronized double elapsedMillis(long start, long end) {
        jcuda.driver.CUevent a = events.remove(start), b = events.remove(end);
        if (a == null || b == null) throw new IllegalArgumentException("unknown event");
        try {
            JCudaDriver.cuEventSynchronize(b);
            float[] ms = new float[1];
            JCudaDriver.cuEventElapsedTime(ms, a, b);
            return ms[0];
        } finally {
            JCudaDriver.cuEventDestroy(a);
            JCudaDriver.cuEventDestroy(b);
        }
    }

    @Override
    public synchronized void synchronize() {
        current();
        JCudaDriver.cuStreamSynchronize(stream);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        current();
        JCudaDriver.cuStreamSynchronize(stream);
        if (cublas != null) cublas.close();
        if (cudnn != null) cudnn.close();
        if (cublasWorkspace != 0) JCudaDriver.cuMemFree(at(cublasWorkspace));
        staging.close();
        JCudaDriver.cuModuleUnload(module);
        JCudaDriver.cuStreamDestroy(stream);
        JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice);
        closed = true;
    }
}
