package dev.sodec.codec.conformance;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionConfig;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Golden kinds {@code model.compressai.mbt2018_mean} and {@code model.compressai.bmshj2018_hyperprior}: the
 * encoder runs from {@code in.x}; the decoder runs from the case's expected strings (decoder-only conformance),
 * and must choose the same CDF indexes as our encoder did.
 */
public final class CompressionKinds {
    private CompressionKinds() {}

    public static void register(Kinds k) {
        k.register("model.compressai.mbt2018_mean", (c, b) -> run(c, b, Architecture.MBT2018_MEAN));
        k.register("model.compressai.bmshj2018_hyperprior", (c, b) -> run(c, b, Architecture.BMSHJ2018_HYPERPRIOR));
    }

    /** Builds the case's model through the same loading path as a model file (weights by CompressAI key). */
    public static CompressionModel model(GoldenCase c, Architecture arch) throws IOException {
        CompressionConfig cfg = new CompressionConfig(arch, c.config().getInt("N"), c.config().getInt("M"));
        // the id only labels containers; cases derived from checkpoint files have no weights.safetensors of their own
        java.nio.file.Path wf = c.dir().resolve("weights.safetensors");
        byte[] id = java.nio.file.Files.isRegularFile(wf) ? CompressionModel.idOf(wf) : new byte[CompressionModel.ID_BYTES];
        return CompressionModel.fromWeights(NameMaps.toEngine(c.naming(), c.weights()), cfg, id, c.id());
    }

    static Map<String, Tensor> run(GoldenCase c, Backend b, Architecture arch) throws IOException {
        CompressionModel model = model(c, arch);
        HyperpriorCodec codec = model.codec();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Parallel par = new Parallel(Math.max(1, b.threads()))) {
            HyperpriorCodec.Encoded e = codec.compress(b, par, c.input("x"));
            out.put("y", e.y());
            out.put("z", e.z());
            out.put("z_symbols", e.zSymbols());
            out.put("z_string", Tensor.fromBytes(e.zString()));
            out.put("y_symbols", e.ySymbols());
            out.put("y_string", Tensor.fromBytes(e.yString()));

            int[] expZ = c.expected("z_hat").shape();
            HyperpriorCodec.Decoded d = codec.decompress(b, par, c.expected("y_string").toByteArray(),
                    c.expected("z_string").toByteArray(), expZ[2], expZ[3]);
            // on F16/BF16 storage the encoder's latents may round differently: its own strings, not the reference's
            if (!TolerancePolicy.reduced(b.storage()) && !Arrays.equals(e.yIndexes().toIntArray(), d.yIndexes().toIntArray())) {
                throw new IllegalStateException("decoder chose different CDF indexes than the encoder");
            }
            out.put("z_hat", d.zHat());
            out.put("scales_hat", d.scales());
            if (d.means() != null) out.put("means_hat", d.means());
            out.put("y_indexes", d.yIndexes());
            out.put("y_hat", d.yHat());
            out.put("x_hat", d.xHat());
        }
        return out;
    }
}
