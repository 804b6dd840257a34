package dev.sodec.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rANS coder: golden bytes, an independent reference encoder, round trips over the whole codable range. */
class RansCoderTest {
    static final Path GOLDEN = Path.of(System.getProperty("sodec.shared")).resolve("golden");

    /**
     * The encoder as CompressAI's source reads (case notes): push (start, freq) per symbol plus escape nibbles onto
     * a list, then code the list backwards with rans64, prepending 32-bit words. Independent of RansEncoder's
     * single backward walk.
     */
    static byte[] referenceEncode(int[] symbols, int[] indexes, int[][] cdfs, int[] lengths, int[] offsets) {
        record Push(int start, int freq, boolean bypass) {}
        List<Push> pushes = new ArrayList<>();
        for (int i = 0; i < symbols.length; i++) {
            int k = indexes[i];
            int[] cdf = cdfs[k];
            int maxValue = lengths[k] - 2;
            int value = symbols[i] - offsets[k];
            int raw = 0;
            if (value < 0) {
                raw = -2 * value - 1;
                value = maxValue;
            } else if (value >= maxValue) {
                raw = 2 * (value - maxValue);
                value = maxValue;
            }
            pushes.add(new Push(cdf[value], cdf[value + 1] - cdf[value], false));
            if (value == maxValue) {
                int n = 0;
                while (n < 8 && (raw >>> (4 * n)) != 0) n++;
                int v = n;
                while (v >= 15) {
                    pushes.add(new Push(15, 16, true));
                    v -= 15;
                }
                pushes.add(new Push(v, v + 1, true));
                for (int j = 0; j < n; j++) pushes.add(new Push((raw >>> (4 * j)) & 15, 0, true));
            }
        }
        long x = 1L << 31;
        List<Integer> words = new ArrayList<>(); // in emission order (last word of the stream first)
        for (int p = pushes.size() - 1; p >= 0; p--) {
            Push s = pushes.get(p);
            if (!s.bypass) {
                long xMax = ((1L << 31 >> 16) << 32) * s.freq;
                if (Long.compareUnsigned(x, xMax) >= 0) {
                    words.add((int) x);
                    x >>>= 32;
                }
                x = (Long.divideUnsigned(x, s.freq) << 16) + Long.remainderUnsigned(x, s.freq) + s.start;
            } else {
                long xMax = (1L << 31 >> 4) << 32;
                if (Long.compareUnsigned(x, xMax) >= 0) {
                    words.add((int) x);
                    x >>>= 32;
                }
                x = (x << 4) | s.start;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeLe(out, (int) x);
        writeLe(out, (int) (x >>> 32));
        for (int i = words.size() - 1; i >= 0; i--) writeLe(out, words.get(i));
        return out.toByteArray();
    }

    private static void writeLe(ByteArrayOutputStream o, int w) {
        for (int b = 0; b < 4; b++) o.write(w >>> (8 * b));
    }

    @Test
    void goldenStreamsByteForByte() throws Exception {
        for (String id : List.of("entropy.rans.10k", "entropy.rans.small", "entropy.rans.single", "entropy.rans.empty")) {
            try (SafeTensors io = SafeTensors.open(GOLDEN.resolve(id).resolve("io.safetensors"))) {
                int[] symbols = io.get("in.symbols").toIntArray(), indexes = io.get("in.indexes").toIntArray();
                Tensor cdfs = io.get("in.cdfs");
                int[] lengths = io.get("in.cdf_lengths").toIntArray(), offsets = io.get("in.offsets").toIntArray();
                CdfTables t = CdfTables.of(cdfs.toIntArray(), cdfs.dim(1), lengths, offsets);
                byte[] expected = io.get("out.bytes").toByteArray();
                assertArrayEquals(expected, RansEncoder.encodeOnce(symbols, indexes, t), id);
                // a tiny initial buffer exercises growth
                assertArrayEquals(expected, new RansEncoder(16).encode(symbols, indexes, t), id);
                assertArrayEquals(expected, referenceEncode(symbols, indexes, rows(t), lengths, offsets), id + " (test oracle)");
                assertArrayEquals(symbols, RansDecoder.decode(expected, indexes, t), id);
            }
        }
    }

    static int[][] rows(CdfTables t) {
        int[][] r = new int[t.rows()][];
        for (int k = 0; k < r.length; k++) r[k] = t.row(k);
        return r;
    }

    /** Gaussian-like tables of a few widths, as the Gaussian conditional builds them. */
    static CdfTables gaussianTables() {
        return GaussianConditional.buildTables(new float[] {0.11f, 0.5f, 1.3f, 4f, 20f, 90f}, 1e-9);
    }

    @Test
    void matchesTheReferenceEncoderAndRoundTripsAcrossTheCodableRange() {
        CdfTables t = gaussianTables();
        int[][] rows = rows(t);
        int[] lengths = new int[t.rows()], offsets = new int[t.rows()];
        for (int k = 0; k < t.rows(); k++) {
            lengths[k] = t.length(k);
            offsets[k] = t.offset(k);
        }
        Random r = new Random(99);
        RansEncoder enc = new RansEncoder(8);
        for (int iter = 0; iter < 300; iter++) {
            int n = r.nextInt(iter < 10 ? 3 : 3000);
            int[] sym = new int[n], idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = r.nextInt(t.rows());
                double scale = new double[] {0.11, 0.5, 1.3, 4, 20, 90}[idx[i]];
                sym[i] = switch (r.nextInt(20)) {
                    case 0 -> r.nextInt(1 << 27) * (r.nextBoolean() ? 1 : -1); // far escapes
                    case 1 -> offsets[idx[i]] + lengths[idx[i]] - 2 + r.nextInt(3) - 1; // around the escape symbol
                    case 2 -> offsets[idx[i]] - r.nextInt(40); // below the range
                    default -> (int) Math.rint(r.nextGaussian() * scale);
                };
            }
            byte[] bytes = enc.encode(sym, idx, t);
            assertArrayEquals(referenceEncode(sym, idx, rows, lengths, offsets), bytes, "iteration " + iter);
            assertArrayEquals(sym, RansDecoder.decode(bytes, idx, t), "iteration " + iter);
        }
    }

    @Test
    void extremeEscapesRoundTripOrAreRefused() {
        CdfTables t = gaussianTables();
        int off = t.offset(0), max = t.length(0) - 2;
        // The largest codable escape payload is 2^28 - 1.
        int hi = off + max + ((1 << 28) - 2) / 2, lo = off - (1 << 27);
        int[] sym = {hi, lo, off + max, off - 1, off};
        int[] idx = new int[sym.length];
        assertArrayEquals(sym, RansDecoder.decode(RansEncoder.encodeOnce(sym, idx, t), idx, t));
        for (int bad : new int[] {hi + 1, lo - 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RansEncoder.encodeOnce(new int[] {bad}, new int[] {0}, t));
            assertTrue(e.getMessage().contains("too far outside"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RansEncoder.encodeOnce(new int[] {0}, new int[] {t.rows()}, t));
        assertThrows(IllegalArgumentException.class, () -> RansEncoder.encodeOnce(new int[] {0}, new int[] {-1}, t));
    }

    @Test
    void tablesAreValidated() {
        int[] ok = {0, 100, 65536};
        CdfTables.of(ok, 3, new int[] {3}, new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(new int[] {0, 65536, 0}, 3, new int[] {2}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(new int[] {1, 100, 65536}, 3, new int[] {3}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(new int[] {0, 100, 65535}, 3, new int[] {3}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(new int[] {0, 0, 65536}, 3, new int[] {3}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(new int[] {0, 70000, 65536}, 3, new int[] {3}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(ok, 3, new int[] {4}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(ok, 3, new int[] {3}, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> CdfTables.of(ok, 4, new int[] {3}, new int[] {0}));
    }

    /** The per-symbol loops allocate nothing: encoding allocates only its result, decoding into a given array nothing. */
    @Test
    void codingDoesNotAllocatePerSymbol() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        CdfTables t = gaussianTables();
        Random r = new Random(5);
        int n = 200_000;
        int[] sym = new int[n], idx = new int[n], out = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = r.nextInt(t.rows());
            sym[i] = (int) Math.rint(r.nextGaussian() * 3);
        }
        RansEncoder enc = new RansEncoder(4 * n);
        byte[] bytes = null;
        for (int w = 0; w < 5; w++) { // warm up (buffer sized, code compiled)
            bytes = enc.encode(sym, idx, t);
            RansDecoder.decode(bytes, 0, bytes.length, idx, 0, n, t, out, 0);
        }
        long a0 = bean.getThreadAllocatedBytes(tid);
        bytes = enc.encode(sym, idx, t);
        long a1 = bean.getThreadAllocatedBytes(tid);
        RansDecoder.decode(bytes, 0, bytes.length, idx, 0, n, t, out, 0);
        long a2 = bean.getThreadAllocatedBytes(tid);
        assertArrayEquals(sym, out);
        assertTrue(a1 - a0 <= bytes.length + 4096, "encode allocated " + (a1 - a0) + " bytes for a " + bytes.length + "-byte result");
        assertTrue(a2 - a1 <= 4096, "decode allocated " + (a2 - a1) + " bytes");
        assertEquals(n, out.length);
    }
}
