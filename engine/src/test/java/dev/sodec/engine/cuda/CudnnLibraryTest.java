package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FFM cuDNN binding against a recording stand-in for libcudnn.so.9 built here with the C compiler: every
 * function found by its C name, descriptors filled with our shapes (dims, strides, padding, stride, dilation,
 * groups), the precision policy (F32: FMA math, never TF32 unless asked, no FFT or Winograd; F16/BF16: tensor-op
 * math), the algorithm choice from cuDNN's search results, and the algorithm and workspace passed through to the
 * convolution call.
 */
class CudnnLibraryTest {
    private static final long STREAM = 0x1234_5678L, WS = 0x7fff_0000_9000L, WS_BYTES = 1L << 20;
    private static final long X = 0x7f00_0000_1000L, W = 0x7f00_0000_2000L, Y = 0x7f00_0000_3000L;

    @TempDir
    static Path tmp;
    private static Path so;
    private Arena arena;
    private MethodHandle get, reset, setPerf, setNeed;

    @BeforeEach
    void stub() throws Exception {
        if (so == null) so = StubLibrary.compile("/cudnn-stub/cudnn_stub.c", tmp, "libcudnn_stub.so");
        arena = Arena.ofShared();
        SymbolLookup lib = SymbolLookup.libraryLookup(so, arena);
        Linker l = Linker.nativeLinker();
        get = l.downcallHandle(lib.find("stub_get").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        reset = l.downcallHandle(lib.find("stub_reset").orElseThrow(), FunctionDescriptor.ofVoid());
        setPerf = l.downcallHandle(lib.find("stub_set_perf").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        setNeed = l.downcallHandle(lib.find("stub_set_workspace_need").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        try {
            reset.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @AfterEach
    void close() {
        arena.close();
    }

    private long get(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) get.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Search result i: algorithm, status, measured ms, workspace bytes, the math type it was measured with. */
    private void perf(int i, int algo, int status, float ms, long memory, int math) {
        try {
            setPerf.invokeExact(i, algo, status, ms, memory, math);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void need(int algo, long bytes) {
        try {
            setNeed.invokeExact(algo, bytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void expect(String prefix, Map<String, Long> want) {
        for (var e : want.entrySet()) assertEquals(e.getValue(), get(prefix + "." + e.getKey()), prefix + "." + e.getKey());
    }

    private static Map<String, Long> tensor(int type, int n, int c, int h, int w) {
        return Map.of("type", (long) type, "n", (long) n, "c", (long) c, "h", (long) h, "w", (long) w, "ns", (long) c * h * w,
                "cs", (long) h * w, "hs", (long) w, "ws", 1L);
    }

    private static Map<String, Long> filter(int type, int k, int c, int h, int w) {
        return Map.of("type", (long) type, "format", 0L, "k", (long) k, "c", (long) c, "h", (long) h, "w", (long) w);
    }

    private static Map<String, Long> conv(int ph, int pw, int u, int v, int dh, int dw, int groups, int math) {
        return Map.of("ph", (long) ph, "pw", (long) pw, "u", (long) u, "v", (long) v, "dh", (long) dh, "dw", (long) dw,
                "mode", 1L, "compute", 0L, "groups", (long) groups, "math", (long) math);
    }

    /** Batch 2, 6 -> 4 channels in 2 groups, 9x7 input, 3x5 kernel, stride (2, 1), padding (1, 2), dilation (1, 2): 5x3 out. */
    private static ConvShape groupedConv(DType t) {
        return new ConvShape(false, t, 2, 6, 9, 7, 4, 3, 5, new Conv2dParams(2, 1, 1, 2, 1, 2, 2, 0, 0), true, "");
    }

    @Test
    void describesAConvolutionAndRunsTheFastestAdmissibleAlgorithm() {
        try (CudnnLibrary lib = new CudnnLibrary(so.toString(), STREAM, false, Runnable::run)) {
            assertEquals(1, get("create"));
            assertEquals(STREAM, get("stream"), "the device's stream");
            assertTrue(lib.path().startsWith("cuDNN 9.1.0 (") && lib.path().contains("F32 without TF32"), lib.path());

            perf(0, 6, 0, 0.1f, 0, CudnnLibrary.FMA_MATH);                                  // Winograd: refused for F32
            perf(1, 1, 0, 0.2f, 0, CudnnLibrary.TENSOR_OP_MATH);                            // TF32: refused for F32
            perf(2, 7, 0, 0.3f, WS_BYTES + 1, CudnnLibrary.FMA_MATH);                       // workspace too large
            perf(3, 0, 0, 0.4f, 4096, CudnnLibrary.FMA_MATH);                               // size query says too large
            perf(4, 2, 0, 0.5f, 4096, CudnnLibrary.FMA_MATH);                               // the one
            need(0, WS_BYTES * 2);
            need(2, 4096);
            ConvShape s = groupedConv(DType.F32);
            assertEquals(5, s.outH());
            assertEquals(3, s.outW());
            try (CudnnConvolution c = lib.prepare(s, X, W, Y, WS, WS_BYTES)) {
                expect("findfwd.x", tensor(0, 2, 6, 9, 7));
                expect("findfwd.w", filter(0, 4, 3, 3, 5));
                expect("findfwd.conv", conv(1, 2, 2, 1, 1, 2, 2, CudnnLibrary.FMA_MATH));
                expect("findfwd.y", tensor(0, 2, 4, 5, 3));
                assertEquals(X, get("findfwd.xptr"));
                assertEquals(W, get("findfwd.wptr"));
                assertEquals(Y, get("findfwd.yptr"));
                assertEquals(CudnnLibrary.ALGORITHMS, get("findfwd.requested"));
                assertEquals(WS, get("findfwd.workspace"));
                assertEquals(WS_BYTES, get("findfwd.workspaceBytes"));
                assertEquals("cudnn algo 2 (GEMM)", c.algorithm());

                c.run(X + 256, W + 512, Y + 768);
                assertEquals(1, get("fwd.calls"));
                assertEquals(2, get("fwd.algo"));
                assertEquals(X + 256, get("fwd.xptr"));
                assertEquals(W + 512, get("fwd.wptr"));
                assertEquals(Y + 768, get("fwd.yptr"));
                assertEquals(WS, get("fwd.workspace"));
                assertEquals(WS_BYTES, get("fwd.workspaceBytes"));
                assertEquals(1000, get("fwd.alpha1000"));
                assertEquals(0, get("fwd.beta1000"));
                expect("fwd.x", tensor(0, 2, 6, 9, 7));
                expect("fwd.y", tensor(0, 2, 4, 5, 3));
                assertEquals(CudnnLibrary.FMA_MATH, get("fwd.conv.math"), "F32 runs without TF32");
                assertEquals(-999999, get("bwd.calls"), "a convolution is the forward pass");
            }
            assertEquals(2, get("tensor.destroyed"));
            assertEquals(1, get("filter.destroyed"));
            assertEquals(1, get("conv.destroyed"));
        }
        assertEquals(1, get("destroy"));
    }

    @Test
    void halfAndBfloatAskForTensorOpMathAndRunWithTheMeasuredOne() {
        try (CudnnLibrary lib = new CudnnLibrary(so.toString(), STREAM, false, Runnable::run)) {
            perf(0, 1, 0, 0.2f, 0, CudnnLibrary.TENSOR_OP_MATH);
            perf(1, 6, 0, 0.3f, 0, CudnnLibrary.TENSOR_OP_MATH);
            try (CudnnConvolution c = lib.prepare(groupedConv(DType.F16), X, W, Y, WS, WS_BYTES)) {
                assertEquals(CudnnLibrary.TENSOR_OP_MATH, get("findfwd.conv.math"));
                expect("findfwd.x", tensor(CudnnLibrary.DATA_HALF, 2, 6, 9, 7));
                assertEquals(CudnnLibrary.DATA_HALF, get("findfwd.w.type"));
                assertEquals(0, get("findfwd.conv.compute"), "F32 accumulation");
                c.run(X, W, Y);
                assertEquals(1, get("fwd.algo"));
                assertEquals(CudnnLibrary.TENSOR_OP_MATH, get("fwd.conv.math"));
            }
            perf(0, 0, 0, 0.2f, 0, CudnnLibrary.DEFAULT_MATH);
            try (CudnnConvolution c = lib.prepare(groupedConv(DType.BF16), X, W, Y, WS, WS_BYTES)) {
                expect("findfwd.y", tensor(CudnnLibrary.DATA_BFLOAT16, 2, 4, 5, 3));
                c.run(X, W, Y);
                assertEquals(0, get("fwd.algo"));
                assertEquals(CudnnLibrary.DEFAULT_MATH, get("fwd.conv.math"), "the math type cuDNN measured the algorithm with");
            }
        }
    }

    @Test
    void tf32OnlyWhenAsked() {
        try (CudnnLibrary lib = new CudnnLibrary(so.toString(), STREAM, true, Runnable::run)) {
            assertTrue(lib.path().contains("with TF32"), lib.path());
            perf(0, 6, 0, 0.2f, 0, CudnnLibrary.TENSOR_OP_MATH);
            try (CudnnConvolution c = lib.prepare(groupedConv(DType.F32), X, W, Y, WS, WS_BYTES)) {
                assertEquals(CudnnLibrary.DEFAULT_MATH, get("findfwd.conv.math"), "cuDNN's default math permits TF32");
                c.run(X, W, Y);
                assertEquals(6, get("fwd.algo"), "a tensor-op Winograd algorithm is admitted");
                assertEquals(CudnnLibrary.TENSOR_OP_MATH, get("fwd.conv.math"));
            }
        }
    }

    /** conv_transpose2d, batch 1, 8 -> 6 channels in 2 groups, 5x5 in, 5x5 kernel, stride 2, padding 2, output padding 1: 10x10. */
    @Test
    void transposedConvolutionIsTheBackwardDataPass() {
        try (CudnnLibrary lib = new CudnnLibrary(so.toString(), STREAM, false, Runnable::run)) {
            perf(0, 1, 0, 0.2f, 0, CudnnLibrary.TENSOR_OP_MATH);
            ConvShape s = new ConvShape(true, DType.F16, 1, 8, 5, 5, 6, 5, 5, new Conv2dParams(2, 2, 2, 2, 1, 1, 2, 1, 1), true, "+silu");
            assertEquals(10, s.outH());
            try (CudnnConvolution c = lib.prepare(s, X, W, Y, WS, WS_BYTES)) {
                expect("findbwd.w", filter(CudnnLibrary.DATA_HALF, 8, 3, 5, 5));
                expect("findbwd.dy", tensor(CudnnLibrary.DATA_HALF, 1, 8, 5, 5));
                expect("findbwd.dx", tensor(CudnnLibrary.DATA_HALF, 1, 6, 10, 10));
                expect("findbwd.conv", conv(2, 2, 2, 2, 1, 1, 2, CudnnLibrary.TENSOR_OP_MATH));
                assertEquals(W, get("findbwd.wptr"));
                assertEquals(X, get("findbwd.dyptr"), "our input is cuDNN's dy");
                assertEquals(Y, get("findbwd.dxptr"), "our output is cuDNN's dx");
                assertEquals(1, get("bwdworkspace.calls"));
                assertEquals("cudnn bwd-data algo 1", c.algorithm());
                c.run(X, W, Y);
                assertEquals(1, get("bwd.calls"));
                assertEquals(1, get("bwd.algo"));
                assertEquals(W, get("bwd.wptr"));
                assertEquals(X, get("bwd.dyptr"));
                assertEquals(Y, get("bwd.dxptr"));
                assertEquals(WS, get("bwd.workspace"));
                assertEquals(WS_BYTES, get("bwd.workspaceBytes"));
                assertEquals(1000, get("bwd.alpha1000"));
                assertEquals(0, get("bwd.beta1000"));
                assertEquals(-999999, get("fwd.calls"));
            }
            // output padding >= stride (torch allows it with dilation): no forward convolution maps back to the input
            ConvShape odd = new ConvShape(true, DType.F16, 1, 8, 5, 5, 6, 3, 3, new Conv2dParams(1, 1, 1, 1, 2, 2, 1, 1, 1), true, "");
            assertFalse(odd.cudnnExpressible());
            assertThrows(IllegalArgumentException.class, () -> lib.prepare(odd, X, W, Y, WS, WS_BYTES));
        }
    }

    @Test
    void noUsableAlgorithmIsAClearErrorAndLeavesNoDescriptors() {
        try (CudnnLibrary lib = new CudnnLibrary(so.toString(), STREAM, false, Runnable::run)) {
            perf(0, 6, 3000, 0.1f, 0, CudnnLibrary.FMA_MATH);
            perf(1, 1, 0, 0.2f, 0, CudnnLibrary.TENSOR_OP_MATH);
            perf(2, 5, 0, 0.3f, 0, CudnnLibrary.FMA_MATH);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> lib.prepare(groupedConv(DType.F32), X, W, Y, WS, WS_BYTES));
            assertEquals("cuDNN has no usable algorithm for conv 3x5/s2,1/d1,2/g2 6->4 9x7 n2 f32 within 1 MiB of workspace "
                    + "(algo 6: CUDNN_STATUS_NOT_SUPPORTED (3000), algo 1: tensor-op math (TF32) for F32, algo 5: an FFT or Winograd "
                    + "transform for F32)", e.getMessage());
            assertEquals(get("tensor.created"), get("tensor.destroyed"));
            assertEquals(get("filter.created"), get("filter.destroyed"));
            assertEquals(get("conv.created"), get("conv.destroyed"));
        }
    }
}
