package dev.sodec.engine.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.Consumer;

/**
 * cuDNN 9 ({@code libcudnn.so.9}, the same soname for CUDA 12 and 13) through Java's foreign function API: the
 * legacy convolution API (tensor / filter / convolution descriptors, {@code cudnnFind...AlgorithmEx},
 * {@code cudnnConvolutionForward}, and {@code cudnnConvolutionBackwardData} for transposed convolutions), which
 * cuDNN 9 still exports. Not JCudnn: its newest Java classes (11.7.0) declare the cuDNN 8 API while its 12.6.0
 * natives are built against cuDNN 9, and an argument list that differs between the two would crash the JVM rather
 * than fail; an FFM binding is checked against the C signatures (CudnnLibraryTest) and needs no JNI library.
 *
 * <p>Precision: every convolution computes in F32 ({@code CUDNN_DATA_FLOAT} compute type). F32 data runs with
 * {@code CUDNN_FMA_MATH}, because cuDNN's default math type lets Ampere and newer GPUs run F32 convolutions as TF32;
 * TF32 only with {@code SODEC_CUDA_TF32=1}; and F32 keeps to cuDNN's GEMM and direct algorithms (no FFT or Winograd).
 * F16/BF16 data run with tensor-op math.
 *
 * <p>Every call runs through {@code onDevice}, which holds the device's lock with its context current.
 */
final class CudnnLibrary implements ConvLibrary, AutoCloseable {
    static final String SONAME = "libcudnn.so.9";
    static final int DATA_FLOAT = 0, DATA_HALF = 2, DATA_BFLOAT16 = 9;
    static final int DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, TENSOR_OP_MATH_ALLOW_CONVERSION = 2, FMA_MATH = 3;
    static final int TENSOR_NCHW = 0, CROSS_CORRELATION = 1;
    /** More than cuDNN has algorithms of either kind (8 forward, 6 backward-data). */
    static final int ALGORITHMS = 8;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;
    /** cudnnConvolutionFwdAlgoPerf_t and cudnnConvolutionBwdDataAlgoPerf_t (the same layout). */
    static final MemoryLayout PERF = MemoryLayout.structLayout(INT.withName("algo"), INT.withName("status"),
            ValueLayout.JAVA_FLOAT.withName("time"), MemoryLayout.paddingLayout(4), LONG.withName("memory"),
            INT.withName("determinism"), INT.withName("mathType"), MemoryLayout.sequenceLayout(3, INT).withName("reserved"),
            MemoryLayout.paddingLayout(4));

    private final Arena arena = Arena.ofShared();
    private final String library;
    private final boolean tf32;
    private final long version;
    private final Consumer<Runnable> onDevice;
    private final MemorySegment handle, one, zero;
    final MethodHandle destroy, errorString, createTensor, setTensor, destroyTensor, createFilter, setFilter, destroyFilter,
            createConv, setConv, setGroups, setMath, destroyConv, findForward, forwardWorkspace, forward, findBackwardData,
            backwardDataWorkspace, backwardData;
    private boolean closed;

    /**
     * @param library a soname ({@link #SONAME}) or a path
     * @param stream the CUstream's native handle (cudaStream_t is the same pointer)
     * @param tf32 let F32 convolutions use TF32 tensor cores
     * @param onDevice runs a call with the device's context current and its lock held
     */
    CudnnLibrary(String library, long stream, boolean tf32, Consumer<Runnable> onDevice) {
        this.library = library;
        this.tf32 = tf32;
        this.onDevice = onDevice;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(library, arena);
        MethodHandle getVersion = bind(linker, lib, "cudnnGetVersion", FunctionDescriptor.of(LONG));
        MethodHandle create = bind(linker, lib, "cudnnCreate", FunctionDescriptor.of(INT, PTR));
        MethodHandle setStream = bind(linker, lib, "cudnnSetStream", FunctionDescriptor.of(INT, PTR, PTR));
        destroy = bind(linker, lib, "cudnnDestroy", FunctionDescriptor.of(INT, PTR));
        errorString = bind(linker, lib, "cudnnGetErrorString", FunctionDescriptor.of(PTR, INT));
        createTensor = bind(linker, lib, "cudnnCreateTensorDescriptor", FunctionDescriptor.of(INT, PTR));
        // (desc, dataType, n, c, h, w, nStride, cStride, hStride, wStride)
        setTensor = bind(linker, lib, "cudnnSetTensor4dDescriptorEx", FunctionDescriptor.of(INT, PTR, INT, INT, INT, INT, INT, INT, INT, INT, INT));
        destroyTensor = bind(linker, lib, "cudnnDestroyTensorDescriptor", FunctionDescriptor.of(INT, PTR));
        createFilter = bind(linker, lib, "cudnnCreateFilterDescriptor", FunctionDescriptor.of(INT, PTR));
        // (desc, dataType, format, k, c, h, w)
        setFilter = bind(linker, lib, "cudnnSetFilter4dDescriptor", FunctionDescriptor.of(INT, PTR, INT, INT, INT, INT, INT, INT));
        destroyFilter = bind(linker, lib, "cudnnDestroyFilterDescriptor", FunctionDescriptor.of(INT, PTR));
        createConv = bind(linker, lib, "cudnnCreateConvolutionDescriptor", FunctionDescriptor.of(INT, PTR));
        // (desc, padH, padW, strideH, strideW, dilationH, dilationW, mode, computeType)
        setConv = bind(linker, lib, "cudnnSetConvolution2dDescriptor", FunctionDescriptor.of(INT, PTR, INT, INT, INT, INT, INT, INT, INT, INT));
        setGroups = bind(linker, lib, "cudnnSetConvolutionGroupCount", FunctionDescriptor.of(INT, PTR, INT));
        setMath = bind(linker, lib, "cudnnSetConvolutionMathType", FunctionDescriptor.of(INT, PTR, INT));
        destroyConv = bind(linker, lib, "cudnnDestroyConvolutionDescriptor", FunctionDescriptor.of(INT, PTR));
        // (handle, xDesc, x, wDesc, w, convDesc, yDesc, y, requested, *returned, *perf, workspace, workspaceBytes)
        findForward = bind(linker, lib, "cudnnFindConvolutionForwardAlgorithmEx",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, PTR, PTR, LONG));
        // (handle, xDesc, wDesc, convDesc, yDesc, algo, *bytes)
        forwardWorkspace = bind(linker, lib, "cudnnGetConvolutionForwardWorkspaceSize",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, INT, PTR));
        // (handle, *alpha, xDesc, x, wDesc, w, convDesc, algo, workspace, workspaceBytes, *beta, yDesc, y)
        forward = bind(linker, lib, "cudnnConvolutionForward",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, LONG, PTR, PTR, PTR));
        // (handle, wDesc, w, dyDesc, dy, convDesc, dxDesc, dx, requested, *returned, *perf, workspace, workspaceBytes)
        findBackwardData = bind(linker, lib, "cudnnFindConvolutionBackwardDataAlgorithmEx",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, PTR, PTR, LONG));
        // (handle, wDesc, dyDesc, convDesc, dxDesc, algo, *bytes)
        backwardDataWorkspace = bind(linker, lib, "cudnnGetConvolutionBackwardDataWorkspaceSize",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, INT, PTR));
        // (handle, *alpha, wDesc, w, dyDesc, dy, convDesc, algo, workspace, workspaceBytes, *beta, dxDesc, dx)
        backwardData = bind(linker, lib, "cudnnConvolutionBackwardData",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, LONG, PTR, PTR, PTR));

        long[] v = new long[1];
        onDevice.accept(() -> v[0] = (long) invoke(getVersion));
        version = v[0];
        if (version < 90000) throw new IllegalStateException(library + " reports cuDNN version " + version + ", not 9.x");
        MemorySegment out = arena.allocate(PTR);
        call("cudnnCreate", create, out);
        handle = out.get(PTR, 0);
        call("cudnnSetStream", setStream, handle, MemorySegment.ofAddress(stream));
        one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException("cuDNN library lacks " + name));
        return linker.downcallHandle(sym, d);
    }

    private static Object invoke(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Calls a cuDNN function on the device and throws, naming it and cuDNN's status, unless it succeeded. */
    void call(String what, MethodHandle h, Object... args) {
        int[] status = new int[1];
        onDevice.accept(() -> status[0] = (int) invoke(h, args));
        if (status[0] != 0) throw new IllegalStateException(what + " failed: " + statusName(status[0]));
    }

    /** e.g. "CUDNN_STATUS_NOT_SUPPORTED (3000)". */
    String statusName(int status) {
        try {
            MemorySegment s = (MemorySegment) invoke(errorString, status);
            return (s.equals(MemorySegment.NULL) ? "status" : s.reinterpret(256).getString(0)) + " (" + status + ")";
        } catch (RuntimeException e) {
            return "status " + status;
        }
    }

    MemorySegment handle() {
        return handle;
    }

    MemorySegment one() {
        return one;
    }

    MemorySegment zero() {
        return zero;
    }

    boolean tf32() {
        return tf32;
    }

    /** A new descriptor from a cudnnCreate...Descriptor function. */
    MemorySegment create(String what, MethodHandle h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            call(what, h, out);
            return out.get(PTR, 0);
        }
    }

    /** "9.1.0" from cuDNN 9's version number (major * 10000 + minor * 100 + patch). */
    String version() {
        return version / 10000 + "." + version % 10000 / 100 + "." + version % 100;
    }

    @Override
    public String path() {
        return "cuDNN " + version() + " (" + library + " via FFM; F32 " + (tf32 ? "with TF32 (SODEC_CUDA_TF32=1)" : "without TF32")
                + ", F16/BF16 on tensor cores, F32 accumulation)";
    }

    @Override
    public CudnnConvolution prepare(ConvShape s, long x, long w, long y, long workspace, long workspaceBytes) {
        if (closed) throw new IllegalStateException("cuDNN is closed");
        CudnnConvolution c = new CudnnConvolution(this, s, workspace, workspaceBytes);
        try {
            c.chooseAlgorithm(x, w, y);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            call("cudnnDestroy", destroy, handle);
        } finally {
            arena.close();
        }
    }
}
