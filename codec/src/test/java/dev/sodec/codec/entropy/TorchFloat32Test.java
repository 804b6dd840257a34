package dev.sodec.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The float32 building blocks of the bottleneck tables against the real libraries and torch (reference values made
 * by {@code resources/bottleneck-update/libm_vectors.c} and {@code torch_ops.py}, see the README there): SLEEF and
 * glibc functions, torch's element-wise kernels with their vector / scalar-tail / per-thread-chunk split, and bmm.
 */
class TorchFloat32Test {
    private static SafeTensors libm, torch;

    @BeforeAll
    static void open() throws Exception {
        libm = SafeTensors.open(resource("libm_vectors.safetensors"));
        torch = SafeTensors.open(resource("torch_ops.safetensors"));
    }

    @AfterAll
    static void close() {
        libm.close();
        torch.close();
    }

    private static Path resource(String name) throws Exception {
        return Path.of(TorchFloat32Test.class.getResource("/bottleneck-update/float-ops/" + name).toURI());
    }

    private interface FloatFn { float apply(float x); }

    private static void assertSameBits(float[] x, float[] expected, FloatFn f, String what) {
        int mismatches = 0;
        String first = null;
        for (int i = 0; i < x.length; i++) {
            float got = f.apply(x[i]);
            boolean same = Float.isNaN(expected[i]) ? Float.isNaN(got) : Float.floatToRawIntBits(got) == Float.floatToRawIntBits(expected[i]);
            if (!same && mismatches++ == 0) first = "x = " + x[i] + ": " + got + " vs " + expected[i];
        }
        assertEquals(0, mismatches, what + ": " + mismatches + " of " + x.length + " differ, first " + first);
    }

    @Test
    void sleefAndGlibcFunctionsMatchTheLibraries() {
        float[] x = libm.get("in.x").toFloatArray();
        assertSameBits(x, libm.get("out.sleef_expf").toFloatArray(), SleefFloat::expf, "Sleef_expf8_u10");
        assertSameBits(x, libm.get("out.sleef_log1pf").toFloatArray(), SleefFloat::log1pf, "Sleef_log1pf8_u10");
        assertSameBits(x, libm.get("out.sleef_tanhf").toFloatArray(), SleefFloat::tanhf, "Sleef_tanhf8_u10");
        assertSameBits(x, libm.get("out.glibc_expf").toFloatArray(), GlibcFloat::expf, "glibc expf");
        assertSameBits(x, libm.get("out.glibc_log1pf").toFloatArray(), GlibcFloat::log1pf, "glibc log1pf");
        // the vectors are meaningful: on many of them the libraries are not correctly rounded
        int notCorrectlyRounded = 0;
        for (float v : x) if (SleefFloat.expf(v) != (float) Math.exp(v) || GlibcFloat.log1pf(v) != (float) Math.log1p(v)) notCorrectlyRounded++;
        assertTrue(notCorrectlyRounded > 500, notCorrectlyRounded + " inputs where a library is not correctly rounded");
    }

    @Test
    void elementwiseKernelsSplitLikeTorch() {
        float[] x = torch.get("softplus.x").toFloatArray();
        float[] y = x.clone();
        TorchKernels.softplus(y, 1);
        assertArrayEquals(torch.get("softplus.y").toFloatArray(), y, "softplus");

        x = torch.get("sigmoid.x").toFloatArray();
        assertArrayEquals(torch.get("sigmoid.y").toFloatArray(), sigmoid(x, 1, i -> true), "sigmoid");
        // the inputs do tell the paths apart: all-vector or all-scalar would not match
        assertNotEquals(java.util.Arrays.toString(torch.get("sigmoid.y").toFloatArray()),
                java.util.Arrays.toString(allPaths(x, false)), "sigmoid inputs must separate the paths");
        assertNotEquals(java.util.Arrays.toString(torch.get("sigmoid.y").toFloatArray()),
                java.util.Arrays.toString(allPaths(x, true)), "sigmoid inputs must separate the paths");

        x = torch.get("tanh.x").toFloatArray();
        float[] t = new float[x.length];
        for (int i = 0; i < x.length; i++) t[i] = TorchKernels.tanh(x[i]);
        assertArrayEquals(torch.get("tanh.y").toFloatArray(), t, "tanh");
    }

    @Test
    void largeKernelsSplitPerThreadChunk() {
        int n = 70001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((i * 7919L) % 20011) / 1000f - 10f; // torch_ops.py formula()
        int[] idx = torch.get("chunked.index").toIntArray();
        float[] planted = torch.get("chunked.x").toFloatArray();
        for (int k = 0; k < idx.length; k++) x[idx[k]] = planted[k];
        java.util.Set<Integer> window = new java.util.HashSet<>();
        for (int i : idx) window.add(i);
        for (int threads = 1; threads <= 3; threads++) {
            float[] y = sigmoid(x, threads, window::contains);
            float[] got = new float[idx.length];
            for (int k = 0; k < idx.length; k++) got[k] = y[idx[k]];
            assertArrayEquals(torch.get("chunked.y_threads" + threads).toFloatArray(), got, threads + " threads");
        }
        // torch's chunking: min(threads, ceil(n / 32768)) chunks of ceil(n / chunks)
        assertArrayEquals(new int[] {0, 35001, 70001}, TorchKernels.chunks(n, 2));
        assertArrayEquals(new int[] {0, 23334, 46668, 70001}, TorchKernels.chunks(n, 8));
        assertArrayEquals(new int[] {0, 32767}, TorchKernels.chunks(32767, 8));
    }

    @Test
    void bmmFollowsTorchAndOpenBlas() {
        for (String shape : new String[] {"3x3x40", "3x3x50", "1x3x200", "8x8x200", "12x12x100", "9x9x700", "16x10x90"}) {
            Tensor w = torch.get("bmm." + shape + ".w"), x = torch.get("bmm." + shape + ".x");
            int batches = w.dim(0), rows = w.dim(1), inner = w.dim(2), cols = x.dim(2);
            float[] wv = w.toFloatArray(), xv = x.toFloatArray(), got = new float[batches * rows * cols];
            float[] out = new float[rows * cols];
            for (int b = 0; b < batches; b++) {
                float[] xb = java.util.Arrays.copyOfRange(xv, b * inner * cols, (b + 1) * inner * cols);
                TorchBmm.multiply(wv, b * rows * inner, rows, inner, xb, cols, out);
                System.arraycopy(out, 0, got, b * rows * cols, out.length);
            }
            assertArrayEquals(torch.get("bmm." + shape + ".y").toFloatArray(), got, "bmm " + shape);
        }
    }

    @Test
    void splitAccumulatorsOnlyWhereOpenBlasUsesThem() {
        assertEquals(null, OpenBlasSgemm.splitAccumulators(1000, 12, 7)); // k < 8: plain chains everywhere
        // 400 rows, 8 columns, k = 8: the first 200-row block runs as two 4-column pieces (split in full 8-row
        // panels), the second block with all 8 columns at once (plain chains)
        boolean[] s = OpenBlasSgemm.splitAccumulators(400, 8, 8);
        assertTrue(s[0] && s[7 * 400 + 199] && !s[200] && !s[7 * 400 + 399]);
        // 203 rows: the 3 rows after the last full panel are 2- and 1-row pieces
        s = OpenBlasSgemm.splitAccumulators(203, 4, 9);
        assertTrue(s[3 * 203 + 199] && !s[3 * 203 + 200] && !s[202]);
        assertTrue(OpenBlasSgemm.reproducible(100000, 3, 3));   // k < 8: thread splits cannot matter
        assertTrue(!OpenBlasSgemm.reproducible(10000, 8, 8));   // more than 65536 * 4 multiply-adds: threaded
        assertTrue(OpenBlasSgemm.reproducible(4000, 8, 8));
    }

    /** The sigmoid kernel over x as {@code threads} threads run it, evaluated where {@code where} holds. */
    private static float[] sigmoid(float[] x, int threads, IntPredicate where) {
        int[] chunks = TorchKernels.chunks(x.length, threads);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            if (!where.test(i)) continue;
            y[i] = TorchKernels.scalarPath(chunks, i) ? TorchKernels.sigmoidScalar(x[i]) : TorchKernels.sigmoidVector(x[i]);
        }
        return y;
    }

    private static float[] allPaths(float[] x, boolean scalar) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = scalar ? TorchKernels.sigmoidScalar(x[i]) : TorchKernels.sigmoidVector(x[i]);
        return y;
    }
}
