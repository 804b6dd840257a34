package dev.sodec.codec.conformance;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.EntropyBottleneck;
import dev.sodec.codec.entropy.GaussianConditional;
import dev.sodec.codec.entropy.QuantizedCdf;
import dev.sodec.codec.entropy.RansDecoder;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.engine.nn.StateDict;
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
        k.register("entropy.bottleneck_update", EntropyKinds::bottleneckUpdate);
        k.register("entropy.gaussian_update", EntropyKinds::gaussianUpdate);
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

    /** EntropyBottleneck.update(force=True) from the learned parameters, then the eval forward and compress. */
    private static Map<String, Tensor> bottleneckUpdate(GoldenCase c, dev.sodec.engine.backend.Backend backend) {
        StateDict sd = new StateDict(c.weights(), c.id() + "/weights.safetensors");
        EntropyBottleneck eb = EntropyBottleneck.load(sd, true);
        sd.requireAllConsumed();
        if (eb.channels() != c.config().getInt("channels")) throw new IllegalArgumentException("channel count differs from config");
        Tensor x = c.input("x");
        Map<String, Tensor> out = new LinkedHashMap<>(tableOutputs(eb.tableBuffers()));
        Tensor xHat = eb.dequantize(x);
        out.put("x_hat", xHat);
        out.put("likelihoods", eb.likelihoods(xHat));
        out.put("symbols", eb.symbols(x));
        byte[][] strings = eb.compress(x);
        for (int b = 0; b < strings.length; b++) out.put("string_b" + b, Tensor.fromBytes(strings[b]));
        // Decoding must give back x_hat exactly.
        int[] spatial = java.util.Arrays.copyOfRange(x.shape(), 2, x.rank());
        if (!Arrays.equals(eb.decompress(strings, spatial).toFloatArray(), xHat.toFloatArray())) {
            throw new IllegalStateException("entropy_bottleneck: decompress(compress(x)) != x_hat");
        }
        return out;
    }

    /** GaussianConditional.update_scale_table(table, force=True), build_indexes, eval forward, compress. */
    private static Map<String, Tensor> gaussianUpdate(GoldenCase c, dev.sodec.engine.backend.Backend backend) {
        StateDict sd = new StateDict(c.weights(), c.id() + "/weights.safetensors");
        GaussianConditional gc = GaussianConditional.load(sd);
        sd.requireAllConsumed();
        gc = gc.withScaleTable(c.input("scale_table").toFloatArray(), c.config().getDouble("tail_mass", GaussianConditional.DEFAULT_TAIL_MASS));
        Tensor scales = c.input("scales"), means = c.input("means"), x = c.input("x");
        Map<String, Tensor> out = new LinkedHashMap<>(tableOutputs(gc.tableBuffers()));
        Tensor indexes = gc.buildIndexes(scales);
        out.put("indexes", indexes);
        Tensor xHat = gc.dequantize(x, means);
        out.put("x_hat", xHat);
        out.put("likelihoods", gc.likelihoods(xHat, scales, means));
        byte[][] strings = gc.compress(x, indexes, means);
        for (int b = 0; b < strings.length; b++) out.put("string_b" + b, Tensor.fromBytes(strings[b]));
        if (!Arrays.equals(gc.decompress(strings, indexes, means).toFloatArray(), xHat.toFloatArray())) {
            throw new IllegalStateException("gaussian_conditional: decompress(compress(x)) != x_hat");
        }
        return out;
    }

    private static Map<String, Tensor> tableOutputs(Map<String, Tensor> buffers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("quantized_cdf", buffers.get("_quantized_cdf"));
        out.put("offset", buffers.get("_offset"));
        out.put("cdf_length", buffers.get("_cdf_length"));
        return out;
    }
}
