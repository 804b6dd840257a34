package dev.sodec.codec.onedc.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.CorruptStreamException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips and edge cases of OneDC's byte-wise rANS (byte exactness against the reference: the golden cases). */
class OneDcRansTest {
    private static final CdfTables GAUSS = OneDcGaussian.tables();

    /** Encodes in the given chunks with one finish, decodes with as many calls, checks finish. */
    private static int[] roundTrip(int[] sym, int[] idx, int[] chunks, CdfTables t) {
        OneDcRansEncoder enc = new OneDcRansEncoder();
        int at = 0;
        for (int n : chunks) {
            enc.encode(sym, at, idx, at, n, t);
            at += n;
        }
        byte[] s = enc.finish();
        assertEquals(0x01, s[0], "flag byte");
        OneDcRansDecoder dec = new OneDcRansDecoder(s);
        int[] out = new int[sym.length];
        at = 0;
        for (int n : chunks) {
            dec.decode(idx, at, n, t, out, at);
            at += n;
        }
        dec.finish();
        return out;
    }

    @Test
    void severalCallsShareOneStream() {
        Random r = new Random(1);
        int n = 20000;
        int[] sym = new int[n], idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = r.nextInt(256);
            sym[i] = (int) Math.rint(r.nextGaussian() * OneDcGaussian.scaleTable()[idx[i]]);
        }
        assertArrayEquals(sym, roundTrip(sym, idx, new int[] {5000, 5000, 5000, 5000}, GAUSS));
        assertArrayEquals(sym, roundTrip(sym, idx, new int[] {n}, GAUSS));
        assertArrayEquals(sym, roundTrip(sym, idx, new int[] {0, 1, n - 2, 1, 0}, GAUSS));
    }

    @Test
    void escapesOfManyChunksAndTheClamp() {
        // Row 0 (scale 0.11) spans -2..2: everything else is an escape; 40000 needs the +-30000 clamp.
        int[] sym = {3, -3, 1000, -1000, 29999, -30000, 30000, 40000, -40000, 0, 2, -2, 7, 100, -77};
        int[] idx = new int[sym.length];
        int[] out = roundTrip(sym, idx, new int[] {sym.length}, GAUSS);
        int[] want = sym.clone();
        for (int i = 0; i < want.length; i++) want[i] = Math.max(-30000, Math.min(30000, want[i]));
        assertArrayEquals(want, out);
    }

    @Test
    void negativeIndexesAreSkippedAndDecodeToZero() {
        int[] sym = {5, 1, -7, 2, 9};
        int[] idx = {-1, 10, -5, 200, -32768};
        byte[] with;
        OneDcRansEncoder enc = new OneDcRansEncoder();
        enc.encode(sym, idx, GAUSS);
        with = enc.finish();
        enc.encode(new int[] {1, 2}, new int[] {10, 200}, GAUSS);
        assertArrayEquals(enc.finish(), with, "skipped symbols add nothing to the stream");
        OneDcRansDecoder dec = new OneDcRansDecoder(with);
        assertArrayEquals(new int[] {0, 1, 0, 2, 0}, dec.decode(idx, GAUSS));
        dec.finish();
    }

    @Test
    void noSymbolsIsTheBareState() {
        byte[] s = new OneDcRansEncoder().finish();
        assertArrayEquals(new byte[] {1, 0, 0, (byte) 0x80, 0}, s, "flag, then 2^23 little-endian");
        OneDcRansDecoder d = new OneDcRansDecoder(s);
        assertEquals(0, d.decode(new int[0], GAUSS).length);
        d.finish();
    }

    @Test
    void outputGrowsPastTheReferencesFixedBuffer() {
        // A table where symbol 1 has frequency 1: each costs 16 bits, two bytes per record entry, so the stream is
        // about twice as long as the reference's output buffer (one byte per entry) would allow.
        int[] cdf = {0, 65534, 65535, 65536};
        CdfTables t = CdfTables.of(cdf, 4, new int[] {4}, new int[] {0});
        int n = 5000;
        int[] sym = new int[n], idx = new int[n];
        Arrays.fill(sym, 1);
        OneDcRansEncoder enc = new OneDcRansEncoder();
        enc.encode(sym, idx, t);
        int recorded = enc.recorded();
        byte[] s = enc.finish();
        assertTrue(s.length - 5 > recorded, s.length + " bytes for " + recorded + " entries");
        OneDcRansDecoder d = new OneDcRansDecoder(s);
        assertArrayEquals(sym, d.decode(idx, t));
        d.finish();
    }

    @Test
    void badIndexesAndUncodableOffsetsAreRefused() {
        OneDcRansEncoder enc = new OneDcRansEncoder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.encode(new int[] {0}, new int[] {256}, GAUSS));
        assertTrue(e.getMessage().contains("not a cdf row"), e.getMessage());
        // an offset so large that a clamped symbol's escape payload needs more than 15 chunks
        CdfTables far = CdfTables.of(new int[] {0, 30000, 65536}, 3, new int[] {3}, new int[] {Integer.MIN_VALUE / 2});
        e = assertThrows(IllegalArgumentException.class, () -> enc.encode(new int[] {0}, new int[] {0}, far));
        assertTrue(e.getMessage().contains("too far outside"), e.getMessage());
        byte[] s = new OneDcRansEncoder().finish();
        assertThrows(IllegalArgumentException.class, () -> new OneDcRansDecoder(s).decode(new int[] {300}, GAUSS));
    }

    @Test
    void headerDefectsAreNamed() {
        assertTrue(assertThrows(CorruptStreamException.class, () -> new OneDcRansDecoder(new byte[4])).getMessage().contains("header"));
        assertTrue(assertThrows(CorruptStreamException.class, () -> new OneDcRansDecoder(new byte[] {0x11, 0, 0, (byte) 0x80, 0}))
                .getMessage().contains("flag byte 0x11"));
        assertTrue(assertThrows(CorruptStreamException.class, () -> new OneDcRansDecoder(new byte[] {1, 0, 0, 0x10, 0}))
                .getMessage().contains("state"));
        assertTrue(assertThrows(CorruptStreamException.class, () -> new OneDcRansDecoder(new byte[] {1, 0, 0, 0, (byte) 0x80}))
                .getMessage().contains("state"));
    }
}
