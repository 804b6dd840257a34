package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class HugePageMemoryTest {
    @Test
    void largeAndSmallBuffersHoldWhatIsWrittenAndDieWithTheirArena() {
        // the test JVM runs with --enable-native-access, so on Linux the large one takes the madvise path
        if (System.getProperty("os.name", "").startsWith("Linux")) assertTrue(HugePageMemory.available());
        for (long bytes : new long[] {1000, (5L << 20) + 12}) {
            MemorySegment kept;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment s = HugePageMemory.allocate(arena, bytes);
                assertEquals(bytes, s.byteSize());
                for (long i = 0; i + 4 <= bytes; i += 4096) assertEquals(0, s.get(ValueLayout.JAVA_INT_UNALIGNED, i), "zeroed");
                assertEquals(0, s.address() % 64, "64-byte aligned");
                for (long i = 0; i + 4 <= bytes; i += 4096) s.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i * 7));
                for (long i = 0; i + 4 <= bytes; i += 4096) assertEquals((int) (i * 7), s.get(ValueLayout.JAVA_INT_UNALIGNED, i));
                kept = s;
            }
            assertFalse(kept.scope().isAlive(), "freed with its arena");
            MemorySegment dead = kept;
            assertThrows(IllegalStateException.class, () -> dead.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        }
    }
}
