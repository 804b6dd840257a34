package dev.sodec.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input to the decoder: thousands of seeded mutations of valid streams (truncation, bit flips, word
 * overwrites, random bytes, splices, appended data) and of indexes and tables. Every outcome must be a clear
 * exception (CorruptStreamException for the stream, IllegalArgumentException for indexes/tables) or a normally
 * returned, fully written output; never another exception, a crash or a hang. (The timeout is a hang guard only.)
 */
class RansFuzzTest {
    private static final int ITERATIONS = 6000;

    @Test
    void mutatedStreamsEndInACleanOutcome() {
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            Random r = new Random(20240601);
            CdfTables t = GaussianConditional.buildTables(GaussianConditional.defaultScaleTable(), 1e-9);
            int corrupt = 0, decoded = 0, badIndex = 0;
            for (int iter = 0; iter < ITERATIONS; iter++) {
                int n = 1 + r.nextInt(iter % 50 == 0 ? 20000 : 600);
                int[] idx = new int[n], sym = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = r.nextInt(t.rows());
                    sym[i] = r.nextInt(40) == 0 ? r.nextInt(20000) - 10000 : (int) Math.rint(r.nextGaussian() * (1 + idx[i] / 4.0));
                }
                byte[] good = RansEncoder.encodeOnce(sym, idx, t);
                byte[] bad = mutate(good, r);
                int[] badIdx = idx;
                if (r.nextInt(10) == 0) {
                    badIdx = idx.clone();
                    badIdx[r.nextInt(n)] = r.nextBoolean() ? t.rows() + r.nextInt(1000) : -1 - r.nextInt(1000);
                }
                int[] out = new int[n];
                Arrays.fill(out, Integer.MIN_VALUE);
                try {
                    RansDecoder.decode(bad, 0, bad.length, badIdx, 0, n, t, out, 0);
                    decoded++;
                    if (Arrays.equals(bad, good) && badIdx == idx) assertTrue(Arrays.equals(sym, out), "valid stream mis-decoded");
                } catch (CorruptStreamException e) {
                    corrupt++;
                    assertTrue(e.getMessage() != null && e.getMessage().contains("rANS"), e.getMessage());
                } catch (IllegalArgumentException e) {
                    assertTrue(badIdx != idx, "IllegalArgumentException on valid indexes: " + e.getMessage());
                    assertTrue(e.getMessage().contains("not a cdf row"), e.getMessage());
                    badIndex++;
                } catch (RuntimeException e) {
                    fail("iteration " + iter + ": " + e, e);
                }
            }
            // The mutations are effective: most are detected, some survive as bounded garbage.
            assertEquals(ITERATIONS, corrupt + decoded + badIndex);
            assertTrue(corrupt > ITERATIONS / 2, "only " + corrupt + " corrupt streams detected");
        });
    }

    private static byte[] mutate(byte[] s, Random r) {
        byte[] b = s.clone();
        switch (r.nextInt(8)) {
            case 0 -> b = Arrays.copyOf(s, r.nextInt(s.length + 1)); // truncation, any length
            case 1 -> { // one to three bit flips
                for (int k = 1 + r.nextInt(3); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 2 -> { // overwrite one 32-bit word
                int w = r.nextInt(b.length / 4) * 4;
                for (int k = 0; k < 4; k++) b[w + k] = (byte) r.nextInt(256);
            }
            case 3 -> { // entirely random bytes of a random length
                b = new byte[r.nextInt(64) * (r.nextBoolean() ? 4 : 1) + r.nextInt(4)];
                r.nextBytes(b);
            }
            case 4 -> { // appended data
                b = Arrays.copyOf(s, s.length + 1 + r.nextInt(16));
                for (int k = s.length; k < b.length; k++) b[k] = (byte) r.nextInt(256);
            }
            case 5 -> { // a word deleted from the middle
                int w = r.nextInt(b.length / 4) * 4;
                b = new byte[s.length - 4];
                System.arraycopy(s, 0, b, 0, w);
                System.arraycopy(s, w + 4, b, w, s.length - w - 4);
            }
            case 6 -> { // the initial state replaced (out of range, or in range)
                long x = r.nextBoolean() ? r.nextLong() : (1L << 31) + (r.nextLong() >>> 2);
                for (int k = 0; k < 8; k++) b[k] = (byte) (x >>> (8 * k));
            }
            default -> { // all bytes from one position on replaced by zeros or ones
                int p = r.nextInt(b.length);
                Arrays.fill(b, p, b.length, r.nextBoolean() ? (byte) 0 : (byte) -1);
            }
        }
        return b;
    }

    @Test
    void randomTablesAreRefusedOrUsable() {
        Random r = new Random(77);
        int built = 0;
        for (int iter = 0; iter < 3000; iter++) {
            int rows = 1 + r.nextInt(4), stride = 1 + r.nextInt(8);
            int[] cdf = new int[rows * stride], len = new int[rows], off = new int[rows];
            for (int k = 0; k < rows; k++) {
                len[k] = r.nextInt(stride + 3) - 1;
                off[k] = r.nextInt();
                // mostly-plausible rows: increasing with random gaps, sometimes broken
                int v = r.nextInt(10) == 0 ? r.nextInt(5) : 0;
                for (int i = 0; i < stride; i++) {
                    cdf[k * stride + i] = v;
                    v += r.nextInt(10) == 0 ? -r.nextInt(3) : r.nextInt(40000);
                }
                if (len[k] >= 1 && len[k] <= stride && r.nextBoolean()) cdf[k * stride + len[k] - 1] = 65536;
            }
            CdfTables t;
            try {
                t = CdfTables.of(cdf, stride, len, off);
            } catch (IllegalArgumentException e) {
                continue;
            }
            built++;
            int n = 1 + r.nextInt(50);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = r.nextInt(rows);
            byte[] junk = new byte[8 + 4 * r.nextInt(20)];
            r.nextBytes(junk);
            try {
                RansDecoder.decode(junk, idx, t);
            } catch (CorruptStreamException expected) {
                // fine
            }
        }
        assertTrue(built > 50, "too few valid random tables (" + built + ") to exercise decoding");
    }

    @Test
    void hostileSizesAreRefusedBeforeAllocating() {
        CdfTables t = GaussianConditional.buildTables(new float[] {1f}, 1e-9);
        byte[] s = RansEncoder.encodeOnce(new int[0], new int[0], t);
        assertThrows(CorruptStreamException.class, () -> RansDecoder.decode(new byte[7], new int[0], t));
        assertThrows(CorruptStreamException.class, () -> RansDecoder.decode(new byte[10], new int[0], t));
        assertThrows(CorruptStreamException.class, () -> RansDecoder.decode(s, new int[1], t)); // 8 bytes cannot hold one more symbol... or end state differs
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(new int[0], 1 << 20, new int[1 << 8], new int[1 << 8]));
    }
}
