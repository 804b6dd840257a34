package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * One convolution shape in cuDNN: its descriptors (made once) and the algorithm chosen for it. A convolution is
 * cuDNN's forward pass; a transposed convolution is cuDNN's backward-data pass of the convolution that maps our
 * output back to our input (same weight layout (cin, cout / groups, kh, kw), same padding, stride and dilation).
 */
final class CudnnConvolution implements ConvLibrary.Conv {
    private static final String[] FORWARD = {"implicit GEMM", "implicit precomp GEMM", "GEMM", "direct", "FFT", "FFT tiling",
            "Winograd", "Winograd nonfused"};
    private static final String[] BACKWARD_DATA = {"algo 0", "algo 1", "FFT", "FFT tiling", "Winograd", "Winograd nonfused"};
    private static final VarHandle ALGO = CudnnLibrary.PERF.varHandle(MemoryLayout.PathElement.groupElement("algo"));
    private static final VarHandle STATUS = CudnnLibrary.PERF.varHandle(MemoryLayout.PathElement.groupElement("status"));
    private static final VarHandle MEMORY = CudnnLibrary.PERF.varHandle(MemoryLayout.PathElement.groupElement("memory"));
    private static final VarHandle MATH = CudnnLibrary.PERF.varHandle(MemoryLayout.PathElement.groupElement("mathType"));

    private final CudnnLibrary lib;
    private final ConvShape shape;
    private final long workspace, workspaceBytes;
    /** Our input and output tensors (cuDNN's x and y, or dy and dx when transposed), the weight, the convolution. */
    private final MemorySegment in, out, filter, conv;
    private int algo = -1;
    private String algorithm;
    private boolean closed;

    CudnnConvolution(CudnnLibrary lib, ConvShape s, long workspace, long workspaceBytes) {
        if (!s.cudnnExpressible()) throw new IllegalArgumentException("cuDNN cannot express " + s.label());
        this.lib = lib;
        this.shape = s;
        this.workspace = workspace;
        this.workspaceBytes = workspaceBytes;
        MemorySegment i = null, o = null, f = null, c = null;
        try {
            int type = dataType(s.type());
            Conv2dParams p = s.params();
            i = lib.create("cudnnCreateTensorDescriptor", lib.createTensor);
            tensor(i, type, s.batch(), s.cin(), s.h(), s.w());
            o = lib.create("cudnnCreateTensorDescriptor", lib.createTensor);
            tensor(o, type, s.batch(), s.cout(), s.outH(), s.outW());
            f = lib.create("cudnnCreateFilterDescriptor", lib.createFilter);
            int k = s.transposed() ? s.cin() : s.cout(), perGroup = (s.transposed() ? s.cout() : s.cin()) / p.groups();
            lib.call("cudnnSetFilter4dDescriptor", lib.setFilter, f, type, CudnnLibrary.TENSOR_NCHW, k, perGroup, s.kh(), s.kw());
            c = lib.create("cudnnCreateConvolutionDescriptor", lib.createConv);
            lib.call("cudnnSetConvolution2dDescriptor", lib.setConv, c, p.padH(), p.padW(), p.strideH(), p.strideW(),
                    p.dilationH(), p.dilationW(), CudnnLibrary.CROSS_CORRELATION, CudnnLibrary.DATA_FLOAT);
            lib.call("cudnnSetConvolutionGroupCount", lib.setGroups, c, p.groups());
            lib.call("cudnnSetConvolutionMathType", lib.setMath, c, requestedMath());
        } catch (RuntimeException e) {
            destroy(i, o, f, c);
            throw e;
        }
        in = i;
        out = o;
        filter = f;
        conv = c;
    }

    static int dataType(DType t) {
        return switch (t) {
            case F32 -> CudnnLibrary.DATA_FLOAT;
            case F16 -> CudnnLibrary.DATA_HALF;
            case BF16 -> CudnnLibrary.DATA_BFLOAT16;
            default -> throw new IllegalArgumentException("cuDNN convolution on " + t);
        };
    }

    /** Contiguous NCHW. */
    private void tensor(MemorySegment d, int type, int n, int c, int h, int w) {
        lib.call("cudnnSetTensor4dDescriptorEx", lib.setTensor, d, type, n, c, h, w, c * h * w, h * w, w, 1);
    }

    /** F32 without TF32 is FMA math (cuDNN's default math type allows TF32 on Ampere and newer). */
    private boolean strictF32() {
        return shape.type() == DType.F32 && !lib.tf32();
    }

    private int requestedMath() {
        if (strictF32()) return CudnnLibrary.FMA_MATH;
        return shape.type() == DType.F32 ? CudnnLibrary.DEFAULT_MATH : CudnnLibrary.TENSOR_OP_MATH;
    }

    /**
     * cuDNN times its algorithms on these buffers (its Find...Ex call) and we take the fastest that succeeded, fits
     * the workspace and keeps the precision policy (for strict F32, no tensor-op algorithm).
     */
    void chooseAlgorithm(long x, long w, long y) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment perf = a.allocate(CudnnLibrary.PERF, CudnnLibrary.ALGORITHMS);
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment ws = MemorySegment.ofAddress(workspace);
            if (shape.transposed()) {
                lib.call("cudnnFindConvolutionBackwardDataAlgorithmEx", lib.findBackwardData, lib.handle(), filter,
                        MemorySegment.ofAddress(w), in, MemorySegment.ofAddress(x), conv, out, MemorySegment.ofAddress(y),
                        CudnnLibrary.ALGORITHMS, count, perf, ws, workspaceBytes);
            } else {
                lib.call("cudnnFindConvolutionForwardAlgorithmEx", lib.findForward, lib.handle(), in, MemorySegment.ofAddress(x),
                        filter, MemorySegment.ofAddress(w), conv, out, MemorySegment.ofAddress(y), CudnnLibrary.ALGORITHMS, count,
                        perf, ws, workspaceBytes);
            }
            int n = Math.min(count.get(ValueLayout.JAVA_INT, 0), CudnnLibrary.ALGORITHMS);
            StringBuilder refused = new StringBuilder();
            for (int i = 0; i < n; i++) {
                long at = i * CudnnLibrary.PERF.byteSize();
                int algo = (int) ALGO.get(perf, at), status = (int) STATUS.get(perf, at), math = (int) MATH.get(perf, at);
                long memory = (long) MEMORY.get(perf, at);
                String why = status != 0 ? lib.statusName(status)
                        : memory > workspaceBytes ? "needs " + memory + " bytes of workspace"
                        : strictF32() && (math == CudnnLibrary.TENSOR_OP_MATH || math == CudnnLibrary.TENSOR_OP_MATH_ALLOW_CONVERSION)
                        ? "tensor-op math (TF32) for F32"
                        : strictF32() && transform(algo) ? "an FFT or Winograd transform for F32" : null;
                if (why == null) {
                    // cuDNN's advice: run with the math type the algorithm was measured with (strict F32 stays FMA)
                    int use = strictF32() ? CudnnLibrary.FMA_MATH : math;
                    lib.call("cudnnSetConvolutionMathType", lib.setMath, conv, use);
                    long need = workspaceSize(algo, a);
                    if (need <= workspaceBytes) {
                        this.algo = algo;
                        String[] names = shape.transposed() ? BACKWARD_DATA : FORWARD;
                        algorithm = "cudnn " + (shape.transposed() ? "bwd-data " : "") + "algo " + algo
                                + (algo >= 0 && algo < names.length && !names[algo].startsWith("algo") ? " (" + names[algo] + ")" : "");
                        return;
                    }
                    why = "needs " + need + " bytes of workspace";
                }
                refused.append(refused.isEmpty() ? "" : ", ").append("algo ").append(algo).append(": ").append(why);
            }
            throw new IllegalStateException("cuDNN has no usable algorithm for " + shape.label() + " within "
                    + (workspaceBytes >> 20) + " MiB of workspace" + (refused.isEmpty() ? "" : " (" + refused + ")"));
        }
    }

    /**
     * FFT and Winograd algorithms (forward 4-7, backward-data 2-5) sum transformed products, which rounds differently
     * from a direct summation: strict F32 keeps to the GEMM and direct ones, so its results stay within F32
     * reduction-order differences of the CPU backend's (the golden suite's F32 tolerances, exact quantized symbols).
     */
    private boolean transform(int algo) {
        return shape.transposed() ? algo >= 2 : algo >= 4;
    }

    private long workspaceSize(int algo, Arena a) {
        MemorySegment bytes = a.allocate(ValueLayout.JAVA_LONG);
        if (shape.transposed()) {
            lib.call("cudnnGetConvolutionBackwardDataWorkspaceSize", lib.backwardDataWorkspace, lib.handle(), filter, in, conv,
                    out, algo, bytes);
        } else {
            lib.call("cudnnGetConvolutionForwardWorkspaceSize", lib.forwardWorkspace, lib.handle(), in, filter, conv, out, algo,
                    bytes);
        }
        return bytes.get(ValueLayout.JAVA_LONG, 0);
    }

    @Override
    public String algorithm() {
        return algorithm;
    }

    @Override
    public void run(long x, long w, long y) {
        if (closed || algo < 0) throw new IllegalStateException("cuDNN convolution for " + shape.label() + " is not ready");
        MemorySegment ws = MemorySegment.ofAddress(workspace);
        if (shape.transposed()) {
            lib.call("cudnnConvolutionBackwardData", lib.backwardData, lib.handle(), lib.one(), filter, MemorySegment.ofAddress(w),
                    in, MemorySegment.ofAddress(x), conv, algo, ws, workspaceBytes, lib.zero(), out, MemorySegment.ofAddress(y));
        } else {
            lib.call("cudnnConvolutionForward", lib.forward, lib.handle(), lib.one(), in, MemorySegment.ofAddress(x), filter,
                    MemorySegment.ofAddress(w), conv, algo, ws, workspaceBytes, lib.zero(), out, MemorySegment.ofAddress(y));
        }
    }

    /** Destroys the descriptors made (null: not made), all of them even when one fails; then throws the first failure. */
    private void destroy(MemorySegment i, MemorySegment o, MemorySegment f, MemorySegment c) {
        RuntimeException first = destroy(null, "cudnnDestroyTensorDescriptor", lib.destroyTensor, i);
        first = destroy(first, "cudnnDestroyTensorDescriptor", lib.destroyTensor, o);
        first = destroy(first, "cudnnDestroyFilterDescriptor", lib.destroyFilter, f);
        first = destroy(first, "cudnnDestroyConvolutionDescriptor", lib.destroyConv, c);
        if (first != null) throw first;
    }

    private RuntimeException destroy(RuntimeException first, String what, MethodHandle h, MemorySegment d) {
        if (d == null) return first;
        try {
            lib.call(what, h, d);
            return first;
        } catch (RuntimeException e) {
            return first != null ? first : e;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        destroy(in, out, filter, conv);
    }
}
