package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Device memory for the tensor-core kernel tests, so one set of cases runs on the emulator ({@link EmulatedDevice})
 * and, where a GPU is present, on it ({@link JCudaDevice}): inputs are uploaded, outputs have canary guards on both
 * sides (a kernel writing past either end fails the test) and are downloaded, every block is freed on close.
 */
final class TcDevice implements AutoCloseable {
    private static final int GUARD = 256;
    private static final byte CANARY = (byte) 0x5A;

    final Device device;
    final TensorCoreKernels tc;
    final boolean emulated;
    private final List<Long> blocks = new ArrayList<>();

    private TcDevice(Device device, boolean emulated) {
        this.device = device;
        this.tc = new TensorCoreKernels(device.launcher());
        this.emulated = emulated;
    }

    /** The emulator with three workers (blocks really run concurrently). */
    static TcDevice emulated() {
        return new TcDevice(new EmulatedDevice(3, false), true);
    }

    /** GPU 0, or null where there is no driver or GPU (the tests then skip themselves, see TcCases). */
    static TcDevice gpu() {
        return JCudaDevice.available() ? new TcDevice(JCudaDevice.open(0), false) : null;
    }

    KernelLauncher launcher() {
        return device.launcher();
    }

    /** Zeroed device memory (256-byte aligned). */
    long alloc(long bytes) {
        long a = device.malloc(Math.max(bytes, 1));
        device.zero(a, Math.max(bytes, 1));
        blocks.add(a);
        return a;
    }

    /** A device copy of a host tensor (contiguous). */
    long put(Tensor t) {
        Tensor c = t.contiguous();
        long a = alloc(c.byteSize());
        device.upload(c.data().asSlice(0, c.byteSize()), a);
        return a;
    }

    /** An output with canary bytes before and after it. */
    final class Out {
        final long address;
        final DType dtype;
        final int[] shape;
        final long bytes;
        private final long base;

        private Out(DType dtype, int[] shape) {
            this.dtype = dtype;
            this.shape = shape.clone();
            this.bytes = Shapes.numel(shape) * dtype.byteSize;
            this.base = alloc(bytes + 2L * GUARD);
            this.address = base + GUARD;
            MemorySegment canary = Arena.ofAuto().allocate(bytes + 2L * GUARD);
            canary.fill(CANARY);
            device.upload(canary, base);
        }

        /** Downloads the output, checks both guards, returns its values widened to F32. */
        float[] floats() {
            return tensor().toFloatArray();
        }

        Tensor tensor() {
            MemorySegment whole = Arena.ofAuto().allocate(bytes + 2L * GUARD, 64);
            device.download(base, whole);
            for (long i = 0; i < GUARD; i++) {
                if (whole.get(ValueLayout.JAVA_BYTE, i) != CANARY) fail("kernel wrote before its output, at byte " + (i - GUARD));
                if (whole.get(ValueLayout.JAVA_BYTE, GUARD + bytes + i) != CANARY) fail("kernel wrote past its output, at byte +" + i);
            }
            return Tensor.wrap(whole.asSlice(GUARD, bytes), dtype, shape);
        }
    }

    Out out(DType dtype, int... shape) {
        return new Out(dtype, shape);
    }

    /** Downloads {@code bytes} from a device address. */
    MemorySegment get(long address, long bytes) {
        MemorySegment m = Arena.ofAuto().allocate(Math.max(bytes, 1), 64);
        device.download(address, m.asSlice(0, bytes));
        return m;
    }

    /** Frees what this test allocated; the device stays open. */
    void freeAll() {
        device.synchronize();
        for (long a : blocks) device.free(a);
        blocks.clear();
    }

    @Override
    public void close() {
        freeAll();
        device.close();
    }
}
