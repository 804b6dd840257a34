package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.CorruptStreamException;
import dev.sodec.codec.onedc.entropy.OneDcGaussian;
import dev.sodec.codec.onedc.entropy.OneDcRansDecoder;
import dev.sodec.codec.onedc.entropy.OneDcRansEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OneDC's byte-wise rANS decoder (not CompressAI's: {@code onedc.entropy}) with real tables: the 256-row Gaussian
 * table OneDC codes y with, and the random tables of the {@code onedc.rans.random.*} golden cases (few rows, negative
 * indexes) when the shared data is there. Input: byte 0 picks the table (bits 0-1, mod the tables present) and the
 * number of sequential decode calls (bits 2-3, 1..4: OneDC reads its four prior steps from one stream), bytes 1-2
 * the symbol count (at most 4096), then one index byte per symbol (for the small tables 0xFF is the index -1, which
 * the coder skips), then the stream. The decoder returns symbols and {@code finish()} accepts the end, or one of them
 * throws {@link CorruptStreamException}; what it returns encodes to a stream that decodes to the same symbols.
 * Seeds: {@link MakeSeeds} re-frames the golden cases' reference streams.
 */
public class OneDcRansFuzzTest {
    static final int MAX_SYMBOLS = 4096;
    /** Golden cases whose (small, random) tables join OneDC's Gaussian one. */
    static final String[] GOLDEN_TABLES = {"onedc.rans.random.1call", "onedc.rans.random.negidx"};
    private static final CdfTables[] TABLES = load();

    private static CdfTables[] load() {
        List<CdfTables> t = new ArrayList<>(List.of(OneDcGaussian.tables()));
        for (String id : GOLDEN_TABLES) {
            Path dir = SodecModelFile.shared().resolve("golden").resolve(id);
            if (!Files.isDirectory(dir)) continue;
            try (GoldenCase c = GoldenCase.open(dir)) {
                t.add(goldenTables(c));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return t.toArray(CdfTables[]::new);
    }

    /** The tables an {@code onedc.rans} golden case coded with (rows zero-padded to the widest). */
    static CdfTables goldenTables(GoldenCase c) {
        return CdfTables.of(c.input("cdfs"), c.input("cdf_lengths"), c.input("offsets"));
    }

    /** The table row an index byte names; -1 (skipped by the coder) is 0xFF for the small tables. */
    static int index(int b, CdfTables t) {
        if (t.rows() >= 256) return b;
        return b == 0xFF ? -1 : b % t.rows();
    }

    /** One input's fields: the tables, the number of decode calls, the table row of each symbol, the stream. */
    record Input(CdfTables tables, int calls, int[] indexes, byte[] stream) {
        /** The fields of {@code data}, or null when it is too short to name a table and a count. */
        static Input of(byte[] data) {
            if (data.length < 3) return null;
            CdfTables t = TABLES[(data[0] & 3) % TABLES.length];
            int calls = 1 + ((data[0] >> 2) & 3);
            int n = ((data[1] & 0xFF) | (data[2] & 0xFF) << 8) % (MAX_SYMBOLS + 1);
            n = Math.min(n, data.length - 3);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = index(data[3 + i] & 0xFF, t);
            return new Input(t, calls, idx, Arrays.copyOfRange(data, 3 + n, data.length));
        }

        /** Decodes the symbols in {@code calls} consecutive chunks of the one stream, then checks its end. */
        int[] decode() {
            return OneDcRansFuzzTest.decode(stream, indexes, tables, calls);
        }
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Input in = Input.of(data);
        if (in == null) return;
        int[] idx = in.indexes();
        int[][] out = new int[1][];
        Throwable e = Outcomes.expect(() -> out[0] = in.decode(), List.of(CorruptStreamException.class));
        if (e != null) return;
        for (int i = 0; i < idx.length; i++) {
            Outcomes.check(Math.abs(out[0][i]) <= 30000, "symbol " + i + " decodes to " + out[0][i] + ", beyond the coder's clamp");
            Outcomes.check(idx[i] >= 0 || out[0][i] == 0, "skipped symbol " + i + " decodes to " + out[0][i]);
        }
        OneDcRansEncoder enc = new OneDcRansEncoder();
        enc.encode(out[0], idx, in.tables());
        Outcomes.check(Arrays.equals(decode(enc.finish(), idx, in.tables(), in.calls()), out[0]), "decoded symbols do not survive re-encoding");
    }

    /** Decodes n symbols in {@code calls} consecutive chunks of one stream, then checks its end. */
    static int[] decode(byte[] stream, int[] idx, CdfTables t, int calls) {
        OneDcRansDecoder d = new OneDcRansDecoder(stream);
        int n = idx.length;
        int[] out = new int[n];
        for (int k = 0, at = 0; k < calls; k++) {
            int next = (int) ((long) n * (k + 1) / calls);
            d.decode(idx, at, next - at, t, out, at);
            at = next;
        }
        d.finish();
        return out;
    }

    @FuzzTest
    void onedcRans(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
