package dev.sodec.codec.onedc.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OneDC's file layout and its .sdc wrapper: round trips and every header defect as one clear exception. */
class OneDcFileTest {
    private static final byte[] ID = {1, 2, 3, 4, 5, 6, 7, 8};

    private static OneDcFile sample(int h, int w, byte[] y) {
        OneDcGeometry g = new OneDcGeometry(h, w);
        byte[] z = new byte[(14 * g.zCount() + 7) / 8];
        for (int i = 1; i < z.length; i++) z[i] = (byte) (i * 37);
        return new OneDcFile(g, y, z);
    }

    @Test
    void geometryPadsRightAndBottomToSixtyFour() {
        OneDcGeometry g = new OneDcGeometry(100, 130);
        assertEquals(128, g.paddedHeight());
        assertEquals(192, g.paddedWidth());
        assertArrayEquals(new int[] {0, 62, 0, 28}, g.padTuple());
        assertEquals(6, g.zCount());
        assertEquals(8, g.yHeight());
        assertEquals(12, g.yWidth());
        assertEquals(0, new OneDcGeometry(512, 768).padRight());
    }

    @Test
    void layoutIsBigEndianWithTheZLengthImplied() {
        OneDcFile f = sample(100, 130, new byte[] {1, 9, 9, 9, 9, 7});
        byte[] b = f.encode();
        ByteBuffer bb = ByteBuffer.wrap(b);
        assertEquals(100, bb.getInt(0));
        assertEquals(130, bb.getInt(4));
        assertEquals(6, bb.getInt(8));
        assertEquals(0, bb.getInt(12));
        assertEquals(16 + 6 + 11, b.length);
        OneDcFile back = OneDcFile.parse(b);
        assertEquals(f.geometry(), back.geometry());
        assertArrayEquals(f.yStream(), back.yStream());
        assertArrayEquals(f.zStream(), back.zStream());
    }

    @Test
    void everyTruncationAndExtensionIsRefused() {
        byte[] b = sample(200, 70, new byte[] {1, 0, 0, (byte) 0x80, 0, 5}).encode();
        for (int len = 0; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            ContainerException e = assertThrows(ContainerException.class, () -> OneDcFile.parse(cut));
            assertTrue(e.getMessage().startsWith("truncated OneDC file") || e.getMessage().contains("image size"), e.getMessage());
        }
        ContainerException e = assertThrows(ContainerException.class, () -> OneDcFile.parse(Arrays.copyOf(b, b.length + 3)));
        assertTrue(e.getMessage().contains("3 bytes after the end"), e.getMessage());
    }

    @Test
    void hugeOrImpossibleHeaderFieldsAreRefusedBeforeAllocating() {
        byte[] b = sample(64, 64, new byte[5]).encode();
        for (int field = 0; field < 4; field++) {
            byte[] m = b.clone();
            ByteBuffer.wrap(m).putInt(4 * field, 0xFFFFFFFF);
            ContainerException e = assertThrows(ContainerException.class, () -> OneDcFile.parse(m));
            assertTrue(e.getMessage().contains("image size") || e.getMessage().startsWith("truncated"), e.getMessage());
        }
        byte[] zero = b.clone();
        ByteBuffer.wrap(zero).putInt(0, 0);
        assertTrue(assertThrows(ContainerException.class, () -> OneDcFile.parse(zero)).getMessage().contains("0"));
    }

    @Test
    void sdcRoundTripCarriesModelIdAndStreams() {
        OneDcFile f = sample(100, 130, new byte[] {1, 2, 3, 4, 5, 6});
        Container c = OneDcSdc.toSdc(f, ID);
        assertEquals(OneDcSdc.ONEDC, c.architectureCode());
        assertEquals(List.of(6, 11), c.streams().stream().map(s -> s.length).toList());
        assertEquals(62, c.padRight());
        assertEquals(28, c.padBottom());
        OneDcSdc.Parsed p = OneDcSdc.read(c.encode());
        assertArrayEquals(ID, p.modelId());
        assertArrayEquals(f.encode(), p.file().encode(), "lossless between the two layouts");
        OneDcSdc.Parsed raw = OneDcSdc.read(f.encode());
        assertNull(raw.modelId());
        assertArrayEquals(f.encode(), raw.file().encode());
    }

    @Test
    void zOnlyAndCaptionVariants() {
        OneDcFile z = sample(64, 192, new byte[0]);
        assertTrue(z.zOnly());
        Container c = OneDcSdc.toSdc(z, ID);
        assertEquals(OneDcSdc.ONEDC_Z_ONLY, c.architectureCode());
        assertEquals(1, c.streams().size());
        assertTrue(OneDcSdc.read(c.encode()).file().zOnly());
        OneDcFile cap = new OneDcFile(z.geometry(), new byte[] {1, 2, 3, 4, 5}, z.zStream(), "a cat".getBytes());
        Container cc = OneDcSdc.toSdc(cap, ID);
        assertEquals(3, cc.streams().size());
        assertArrayEquals(cap.encode(), OneDcSdc.read(cc.encode()).file().encode());
    }

    @Test
    void inconsistentContainersAreRefused() {
        OneDcFile f = sample(100, 130, new byte[] {1, 2, 3, 4, 5});
        Container good = OneDcSdc.toSdc(f, ID);
        expect(new Container(OneDcSdc.ONEDC, ID, 130, 100, 0, 0, 61, 28, good.streams()), "padding");
        expect(new Container(OneDcSdc.ONEDC, ID, 130, 100, 1, 0, 61, 28, good.streams()), "padding");
        expect(new Container(OneDcSdc.ONEDC, ID, 130, 100, 0, 0, 62, 28, List.of(good.streams().get(1))), "streams");
        expect(new Container(OneDcSdc.ONEDC, ID, 130, 100, 0, 0, 62, 28, List.of(good.streams().get(0), new byte[10])), "z stream");
        expect(new Container(OneDcSdc.ONEDC, ID, 130, 100, 0, 0, 62, 28, List.of(new byte[0], good.streams().get(1))), "empty");
        expect(new Container(1, ID, 130, 100, 0, 0, 62, 28, good.streams()), "architecture");
        byte[] bytes = good.encode();
        bytes[bytes.length - 8] ^= 1; // inside the z stream
        assertTrue(assertThrows(ContainerException.class, () -> OneDcSdc.read(bytes)).getMessage().contains("CRC"));
    }

    private static void expect(Container c, String word) {
        try {
            OneDcSdc.fromSdc(c);
            fail("accepted a container with bad " + word);
        } catch (ContainerException e) {
            assertTrue(e.getMessage().contains(word), e.getMessage());
        }
    }
}
