package dev.sodec.codec.conformance;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.QuantizedCdf;
import dev.sodec.codec.entropy.RansDecoder;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Conformance kinds {@code entropy.*}: the rANS coder, CDF quantization and the two entropy models' tables. */
public final class EntropyKinds {
    private EntropyKinds() {}

    public static void register(Kinds k) {
        k.register("entropy.rans", EntropyKinds::rans);
        k.register("entropy.pmf_to_quantized_cdf", EntropyKinds::pmfToQuantizedCdf);
    }

    private static Map<String, Tensor> rans(GoldenCase c, dev.sodec.engine.backend.Backend backend) {
        int precision = c.config().getInt("precision", 16);
        int bypass = c.config().getInt("bypass_precision", 4);
        if (precision != 16 || bypass != 4) {
            throw new IllegalArgumentException("entropy.rans: only precision 16 / bypass 4 (CompressAI's) are supported");
        }
        int[] symbols = c.input("symbols").toIntArray();
        int[] indexes = c.input("indexes").toIntArray();
        Tensor cdfs = c.input("cdfs");
        CdfTables tables = CdfTables.of(cdfs.toIntArray(), cdfs.dim(1), c.input("cdf_lengths").toIntArray(),
                c.input("offsets").toIntArray());
        byte[] bytes = RansEncoder.encodeOnce(symbols, indexes, tables);
        // The runner compares bytes; the round trip must hold too, or the case is not really passed.
        int[] back = RansDecoder.decode(bytes, indexes, tables);
        if (!Arrays.equals(back, symbols)) throw new IllegalStateException("entropy.rans: decode(encode(x)) != x");
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("bytes", Tensor.fromBytes(bytes));
        return out;
    }

    private static Map<String, Tensor> pmfToQuantizedCdf(GoldenCase c, dev.sodec.engine.backend.Backend backend) {
        if (c.config().getInt("precision", 16) != QuantizedCdf.PRECISION) {
            throw new IllegalArgumentException("entropy.pmf_to_quantized_cdf: only precision 16 is supported");
        }
        int[] cdf = QuantizedCdf.fromPmf(c.input("pmf").toFloatArray());
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("cdf", Tensor.fromInts(cdf, cdf.length));
        return out;
    }
}
