package dev.sodec.codec.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContainerTest {
    private static Container sample() {
        Random r = new Random(7);
        byte[] y = new byte[57], z = new byte[9];
        r.nextBytes(y);
        r.nextBytes(z);
        byte[] id = {1, 2, 3, 4, 5, 6, 7, (byte) 0xF8};
        return new Container(1, id, 37, 61, 13, 1, 14, 2, List.of(y, z));
    }

    @Test
    void roundTripKeepsEveryField() {
        Container c = sample();
        byte[] enc = c.encode();
        assertEquals(23 + 8 + 57 + 9 + 4, enc.length);
        Container d = Container.parse(enc);
        assertEquals(1, d.architectureCode());
        assertArrayEquals(c.modelId(), d.modelId());
        assertEquals("01020304050607f8", d.modelIdHex());
        assertEquals(37, d.width());
        assertEquals(61, d.height());
        assertEquals(List.of(13, 1, 14, 2), List.of(d.padLeft(), d.padTop(), d.padRight(), d.padBottom()));
        assertEquals(64, d.paddedWidth());
        assertEquals(64, d.paddedHeight());
        assertArrayEquals(c.streams().get(0), d.streams().get(0));
        assertArrayEquals(c.streams().get(1), d.streams().get(1));
    }

    @Test
    void byteLayoutMatchesTheDocumentedTable() {
        byte[] enc = sample().encode();
        assertArrayEquals(new byte[] {(byte) 0x89, 'S', 'D', 'C', 1, 1}, java.util.Arrays.copyOf(enc, 6));
        assertEquals(37, enc[14]);
        assertEquals(0, enc[15]);
        assertEquals(61, enc[16]);
        assertEquals(13, enc[18]);
        assertEquals(2, enc[22]);
        assertEquals(57, enc[23]);
        assertEquals(9, enc[27]);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(enc, 0, enc.length - 4);
        long stored = java.nio.ByteBuffer.wrap(enc, enc.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        assertEquals(crc.getValue(), stored);
    }

    @Test
    void foreignDataIsRefusedAsNotOurs() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(png)).getMessage().contains("bad magic"));
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse("hello world, not an image".getBytes()))
                .getMessage().contains("not a sodec"));
        assertThrows(ContainerException.class, () -> Container.parse(new byte[0]));
    }

    @Test
    void otherVersionsAreRefusedByNumber() {
        byte[] enc = sample().encode();
        enc[4] = 2;
        String msg = assertThrows(ContainerException.class, () -> Container.parse(enc)).getMessage();
        assertTrue(msg.contains("version 2"), msg);
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] enc = sample().encode();
        for (int len = 0; len < enc.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(enc, len);
            ContainerException e = assertThrows(ContainerException.class, () -> Container.parse(cut), "length " + len);
            if (len >= 4) assertTrue(e.getMessage().contains("truncated"), len + ": " + e.getMessage());
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] enc = sample().encode();
        byte[] longer = java.util.Arrays.copyOf(enc, enc.length + 1);
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(longer)).getMessage().contains("after the end"));
    }

    @Test
    void everySingleBitFlipIsRefused() {
        byte[] enc = sample().encode();
        for (int i = 0; i < enc.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = enc.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(ContainerException.class, () -> Container.parse(bad), "byte " + i + " bit " + bit);
            }
        }
        byte[] bad = enc.clone();
        bad[40] ^= 1;
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(bad)).getMessage().contains("CRC"));
    }

    @Test
    void zeroSizeIsRefusedEvenWithAValidCrc() {
        byte[] enc = sample().encode();
        enc[14] = 0;
        enc[15] = 0;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(enc, 0, enc.length - 4);
        java.nio.ByteBuffer.wrap(enc).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(enc.length - 4, (int) crc.getValue());
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(enc)).getMessage().contains("image size 0x61"));
    }

    @Test
    void writerRefusesSizesItCannotStore() {
        byte[] id = new byte[8];
        assertThrows(IllegalArgumentException.class, () -> new Container(1, id, 0, 5, 0, 0, 0, 0, List.of(new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> new Container(1, id, 70000, 5, 0, 0, 0, 0, List.of(new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> new Container(1, new byte[4], 5, 5, 0, 0, 0, 0, List.of(new byte[1])));
    }
}
