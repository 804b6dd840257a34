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
        enc[4] = 3;
        String msg = assertThrows(ContainerException.class, () -> Container.parse(enc)).getMessage();
        assertTrue(msg.contains("version 3"), msg);
    }

    private static Container withMetadata() {
        return sample().withChunks(List.of(new Container.Chunk(Container.ICC, new byte[] {1, 2, 3}),
                new Container.Chunk(Container.EXIF, new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8})));
    }

    @Test
    void withoutChunksTheBytesAreVersion1AsBefore() {
        byte[] enc = sample().encode();
        assertEquals(1, enc[4]);
        assertEquals(1, Container.parse(enc).version());
        assertTrue(Container.parse(enc).chunks().isEmpty());
    }

    @Test
    void chunksRoundTripAsVersion2WithTheDocumentedLayout() {
        Container c = withMetadata();
        byte[] enc = c.encode();
        assertEquals(2, enc[4]);
        // version 1 layout, then: count, (tag, length, bytes) per chunk, CRC
        int end1 = 23 + 8 + 57 + 9;
        assertEquals(end1 + 1 + (8 + 3) + (8 + 8) + 4, enc.length);
        assertEquals(2, enc[end1]);
        assertEquals("ICCP", new String(enc, end1 + 1, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(3, enc[end1 + 5]);
        assertEquals("EXIF", new String(enc, end1 + 12, 4, java.nio.charset.StandardCharsets.US_ASCII));
        Container d = Container.parse(enc);
        assertEquals(c.chunks(), d.chunks());
        assertArrayEquals(new byte[] {1, 2, 3}, d.chunk(Container.ICC));
        assertEquals(null, d.chunk("XMP "));
        assertArrayEquals(c.streams().get(0), d.streams().get(0));
        assertArrayEquals(enc, d.encode());
        assertTrue(d.toString().contains("ICCP (3 bytes)"), d.toString());
    }

    @Test
    void damagedChunkSectionsAreRefusedWithOneLine() {
        byte[] enc = withMetadata().encode();
        int end1 = 23 + 8 + 57 + 9;
        for (int cut = enc.length - 5; cut > end1; cut -= 3) {
            byte[] t = fixCrc(java.util.Arrays.copyOf(enc, cut));
            String m = assertThrows(ContainerException.class, () -> Container.parse(t)).getMessage();
            assertTrue(m.contains("truncated") || m.contains("chunk"), m);
        }
        byte[] zero = enc.clone();
        zero[end1] = 0; // version 2 promises at least one chunk
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(fixCrc(zero))).getMessage().contains("chunk count 0"));
        byte[] huge = enc.clone();
        huge[end1 + 8] = 0x7F; // first chunk's length beyond the file
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(fixCrc(huge))).getMessage().contains("truncated"));
        byte[] dup = enc.clone();
        System.arraycopy("ICCP".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, dup, end1 + 12, 4);
        String m = assertThrows(ContainerException.class, () -> Container.parse(fixCrc(dup))).getMessage();
        assertTrue(m.contains("same tag") && !m.contains("\n"), m);
        byte[] ctrl = enc.clone();
        ctrl[end1 + 1] = 10; // a tag with a newline
        m = assertThrows(ContainerException.class, () -> Container.parse(fixCrc(ctrl))).getMessage();
        assertTrue(m.contains("tag") && !m.contains("\n"), m);
        byte[] flipped = enc.clone();
        flipped[end1 + 10] ^= 1; // a chunk byte: the CRC notices
        assertTrue(assertThrows(ContainerException.class, () -> Container.parse(flipped)).getMessage().contains("CRC"));
    }

    /** The bytes with their last 4 replaced by the CRC of the rest (so that structure checks are reached). */
    private static byte[] fixCrc(byte[] b) {
        if (b.length < 4) return b;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, b.length - 4);
        java.nio.ByteBuffer.wrap(b, b.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return b;
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
