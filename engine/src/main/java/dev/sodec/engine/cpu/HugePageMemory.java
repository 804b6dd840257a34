package dev.sodec.engine.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Large, long-lived buffers that the kernels stream through (packed weights, Winograd filters, activation arenas), asked to live on transparent huge pages
 * (Linux {@code madvise(MADV_HUGEPAGE)} before the first touch; where THP is in "madvise" mode nothing else gets
 * them). Measured: a UNet whose packed weights landed on ordinary pages after other large allocations ran 30% slower
 * than one whose weights happened to land well. Anywhere this cannot be done (not Linux, no libc symbol, a failed
 * call, a JVM without {@code --enable-native-access}) it is plain native memory: the hint changes speed, never
 * contents.
 */
final class HugePageMemory {
    private static final long HUGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle POSIX_MEMALIGN, MADVISE, FREE;

    static {
        MethodHandle pm = null, ma = null, fr = null;
        try {
            // Only where the JVM was started with native access for us: otherwise the first downcall would print
            // the JDK's restricted-method warning into a library user's output.
            if (System.getProperty("os.name", "").startsWith("Linux") && HugePageMemory.class.getModule().isNativeAccessEnabled()) {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                pm = linker.downcallHandle(libc.find("posix_memalign").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                ma = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                fr = linker.downcallHandle(libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            }
        } catch (RuntimeException | LinkageError e) {
            pm = ma = fr = null;   // no such symbol or no native access: plain allocation
        }
        POSIX_MEMALIGN = pm;
        MADVISE = ma;
        FREE = fr;
    }

    private HugePageMemory() {}

    /**
     * {@code bytes} of zeroed native memory owned by {@code arena}, 64-byte aligned; on huge pages where the system
     * grants them.
     */
    static MemorySegment allocate(Arena arena, long bytes) {
        if (!available() || bytes < HUGE) return arena.allocate(bytes, 64);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ValueLayout.ADDRESS);
            if ((int) POSIX_MEMALIGN.invokeExact(out, HUGE, bytes) != 0) return arena.allocate(bytes, 64);
            MemorySegment raw = out.get(ValueLayout.ADDRESS, 0);
            int ignored = (int) MADVISE.invokeExact(raw, bytes, MADV_HUGEPAGE);   // a hint: failure changes nothing
            MemorySegment seg = raw.reinterpret(bytes, arena, HugePageMemory::free);
            seg.fill((byte) 0);   // the first touch, after the hint; malloc may also hand back used memory
            return seg;
        } catch (Throwable t) {
            return arena.allocate(bytes, 64);
        }
    }

    /** Whether allocations of 2 MiB or more go through posix_memalign + madvise. */
    static boolean available() {
        return POSIX_MEMALIGN != null;
    }

    private static void free(MemorySegment raw) {
        try {
            FREE.invokeExact(raw);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
