package dev.sodec.codec.onedc.fsq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.entropy.CorruptStreamException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 14-bit big-endian z packing: leading pad bits, exact lengths, strict unpacking. */
class ZPackingTest {
    @Test
    void padBitsLead() {
        // one index of 14 ones: 2 leading zero pad bits, then the index -> 0x3F 0xFF
        assertArrayEquals(new byte[] {0x3F, (byte) 0xFF}, ZPacking.pack(new int[] {0x3FFF}, 14));
        // two indices 1 and 2: 28 bits in 4 bytes, 4 pad bits: 0000 00000000000001 00000000000010
        assertArrayEquals(new byte[] {0x00, 0x00, 0x40, 0x02}, ZPacking.pack(new int[] {1, 2}, 14));
        // four indices fill 7 bytes exactly: no pad
        assertEquals(7, ZPacking.pack(new int[] {0x3FFF, 0, 0, 0}, 14).length);
        assertEquals((byte) 0xFF, ZPacking.pack(new int[] {0x3FFF, 0, 0, 0}, 14)[0]);
    }

    @Test
    void roundTripsForEveryRemainder() {
        Random r = new Random(3);
        for (int n = 1; n <= 40; n++) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = r.nextInt(1 << 14);
            byte[] b = ZPacking.pack(idx, 14);
            assertEquals((14 * n + 7) / 8, b.length);
            assertArrayEquals(idx, ZPacking.unpack(b, n, 14));
        }
    }

    @Test
    void corruptStreamsAreRefused() {
        byte[] b = ZPacking.pack(new int[] {5, 6, 7}, 14); // 42 bits in 6 bytes: 6 pad bits
        byte[] setPad = b.clone();
        setPad[0] |= 0x04;
        CorruptStreamException e = assertThrows(CorruptStreamException.class, () -> ZPacking.unpack(setPad, 3, 14));
        assertTrue(e.getMessage().contains("pad bits"), e.getMessage());
        assertThrows(CorruptStreamException.class, () -> ZPacking.unpack(new byte[5], 3, 14));
        assertThrows(CorruptStreamException.class, () -> ZPacking.unpack(new byte[7], 3, 14));
        assertThrows(IllegalArgumentException.class, () -> ZPacking.pack(new int[] {1 << 14}, 14));
        assertThrows(IllegalArgumentException.class, () -> ZPacking.pack(new int[0], 14));
    }
}
