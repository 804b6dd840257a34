package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Shared pieces of the emulator tests: a launcher, random inputs, guarded outputs, tolerant comparison. */
final class EmuSupport {
    private EmuSupport() {}

    /** Three workers: blocks really run concurrently, so cooperating blocks and atomics are exercised. */
    static final EmuKernelLauncher EMU = new EmuKernelLauncher(3);
    static final CudaKernels K = new CudaKernels(EMU);

    private static final int GUARD = 256;
    private static final byte CANARY = (byte) 0x5A;

    static long addr(Tensor t) {
        return t.data().address();
    }

    static Tensor random(long seed, float lo, float hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * (float) r.nextDouble();
        return Tensor.fromFloats(v, shape);
    }

    /**
     * An output tensor with canary bytes before and after it, so a kernel writing past either end of its output
     * (a tail bug) fails the test instead of corrupting memory silently.
     */
    static final class Guarded {
        final MemorySegment whole;
        final Tensor tensor;
        final long bytes;

        Guarded(DType dtype, int... shape) {
            bytes = Shapes.numel(shape) * dtype.byteSize;
            whole = Arena.ofAuto().allocate(bytes + 2L * GUARD, 64);
            whole.fill(CANARY);
            tensor = Tensor.wrap(whole.asSlice(GUARD, bytes), dtype, shape);
        }

        long addr() {
            checkGuards();
            return tensor.data().address();
        }

        void checkGuards() {
            for (long i = 0; i < GUARD; i++) {
                if (whole.get(ValueLayout.JAVA_BYTE, i) != CANARY) fail("kernel wrote before its output, at byte " + (i - GUARD));
                if (whole.get(ValueLayout.JAVA_BYTE, GUARD + bytes + i) != CANARY) fail("kernel wrote past its output, at byte +" + i);
            }
        }

        float[] floats() {
            checkGuards();
            return tensor.toFloatArray();
        }
    }

    /** |a - e| <= atol + rtol * |e| everywhere; the message names the worst element. */
    static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            double excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
            if (Double.isNaN(a) != Double.isNaN(e) || excess > worstExcess) {
                worst = i;
                worstExcess = Double.isNaN(a) || Double.isNaN(e) ? Double.POSITIVE_INFINITY : excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                    + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }
}
