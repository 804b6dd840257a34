package dev.sodec.codec.onedc.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.CorruptStreamException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input to OneDC's rANS decoder: thousands of seeded mutations of valid four-call streams (truncation at any
 * length, bit flips, byte overwrites, random bytes, splices, appended bytes, a changed flag or state). Every outcome
 * must be a {@link CorruptStreamException} naming the OneDC stream, or a complete, normally returned decode of all
 * four calls; never another exception, an out-of-bounds read or a hang (the timeout is a hang guard only).
 */
class OneDcRansFuzzTest {
    private static final int ITERATIONS = 5000;

    @Test
    void mutatedStreamsEndInACleanOutcome() {
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            Random r = new Random(20250713);
            CdfTables t = OneDcGaussian.tables();
            float[] scales = OneDcGaussian.scaleTable();
            int corrupt = 0, decoded = 0;
            for (int iter = 0; iter < ITERATIONS; iter++) {
                int per = 1 + r.nextInt(iter % 50 == 0 ? 5000 : 150);
                int n = 4 * per;
                int[] idx = new int[n], sym = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = r.nextInt(40) == 0 ? -1 : r.nextInt(t.rows());
                    sym[i] = r.nextInt(30) == 0 ? r.nextInt(80001) - 40000 : (int) Math.rint(r.nextGaussian() * scales[Math.max(idx[i], 0)]);
                }
                OneDcRansEncoder enc = new OneDcRansEncoder();
                for (int k = 0; k < 4; k++) enc.encode(sym, k * per, idx, k * per, per, t);
                byte[] good = enc.finish();
                byte[] bad = mutate(good, r);
                int[] out = new int[n];
                Arrays.fill(out, Integer.MIN_VALUE);
                try {
                    OneDcRansDecoder dec = new OneDcRansDecoder(bad);
                    for (int k = 0; k < 4; k++) dec.decode(idx, k * per, per, t, out, k * per);
                    dec.finish();
                    decoded++;
                    for (int v : out) assertTrue(v >= -30000 && v <= 30000, "decoded value " + v + " outside the coder's range");
                    if (Arrays.equals(bad, good)) {
                        int[] want = sym.clone();
                        for (int i = 0; i < n; i++) want[i] = idx[i] < 0 ? 0 : Math.max(-30000, Math.min(30000, sym[i]));
                        assertArrayEquals(want, out, "valid stream mis-decoded");
                    }
                } catch (CorruptStreamException e) {
                    corrupt++;
                    assertTrue(e.getMessage() != null && e.getMessage().startsWith("OneDC rANS stream"), e.getMessage());
                } catch (RuntimeException e) {
                    fail("iteration " + iter + ": " + e, e);
                }
            }
            assertEquals(ITERATIONS, corrupt + decoded);
            // the mutations are effective: most are detected (finish() catches what decoding alone cannot)
            assertTrue(corrupt > ITERATIONS * 3 / 4, "only " + corrupt + " of " + ITERATIONS + " corrupt streams detected");
        });
    }

    private static byte[] mutate(byte[] s, Random r) {
        byte[] b = s.clone();
        switch (r.nextInt(9)) {
            case 0 -> b = Arrays.copyOf(s, r.nextInt(s.length + 1)); // truncation at any length
            case 1 -> { for (int k = 1 + r.nextInt(3); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8)); }
            case 2 -> b[b.length > 5 ? 5 + r.nextInt(b.length - 5) : r.nextInt(b.length)] = (byte) r.nextInt(256); // one byte
            case 3 -> {
                b = new byte[r.nextInt(200)];
                r.nextBytes(b);
                if (b.length > 0 && r.nextBoolean()) b[0] = 1;
            }
            case 4 -> { // splice: drop a run of bytes from the middle
                int from = r.nextInt(b.length), len = 1 + r.nextInt(Math.max(1, b.length - from));
                byte[] c = new byte[b.length - Math.min(len, b.length - from)];
                System.arraycopy(b, 0, c, 0, from);
                System.arraycopy(b, from + (b.length - c.length), c, from, c.length - from);
                b = c;
            }
            case 5 -> { // appended bytes
                b = Arrays.copyOf(s, s.length + 1 + r.nextInt(8));
                for (int i = s.length; i < b.length; i++) b[i] = (byte) r.nextInt(256);
            }
            case 6 -> b[0] = (byte) r.nextInt(256); // flag byte
            case 7 -> b[1 + r.nextInt(4)] = (byte) r.nextInt(256); // initial state
            default -> { // duplicate a byte run
                int from = r.nextInt(b.length), len = 1 + r.nextInt(Math.min(16, b.length - from));
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, from + len);
                System.arraycopy(b, from, c, from + len, b.length - from);
                b = c;
            }
        }
        return b;
    }
}
