package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.CorruptStreamException;
import dev.sodec.codec.entropy.RansDecoder;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.engine.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * CompressAI's rANS decoder with the shipped model's real tables (Gaussian conditional and entropy bottleneck).
 * Input: byte 0 picks the tables, bytes 1-2 the symbol count (at most 4096), then one index byte per symbol, then
 * the stream. The decoder returns symbols or throws {@link CorruptStreamException}; what it returns encodes to a
 * stream that decodes to the same symbols.
 */
public class RansFuzzTest {
    static final int MAX_SYMBOLS = 4096;
    private static final CdfTables[] TABLES = load();

    private static CdfTables[] load() {
        try (SafeTensors st = SafeTensors.open(BundledModel.file())) {
            return new CdfTables[] {tables(st, "gaussian_conditional"), tables(st, "entropy_bottleneck")};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CdfTables tables(SafeTensors st, String module) {
        return CdfTables.of(st.get(module + "._quantized_cdf"), st.get(module + "._cdf_length"), st.get(module + "._offset"));
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length < 3) return;
        CdfTables t = TABLES[data[0] & 1];
        int n = ((data[1] & 0xFF) | (data[2] & 0xFF) << 8) % (MAX_SYMBOLS + 1);
        n = Math.min(n, data.length - 3);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (data[3 + i] & 0xFF) % t.rows();
        byte[] stream = Arrays.copyOfRange(data, 3 + n, data.length);
        int[][] out = new int[1][];
        Throwable e = Outcomes.expect(() -> out[0] = RansDecoder.decode(stream, idx, t), List.of(CorruptStreamException.class));
        if (e != null) return;
        byte[] again = RansEncoder.encodeOnce(out[0], idx, t);
        Outcomes.check(Arrays.equals(RansDecoder.decode(again, idx, t), out[0]), "decoded symbols do not survive re-encoding");
    }

    @FuzzTest
    void rans(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
