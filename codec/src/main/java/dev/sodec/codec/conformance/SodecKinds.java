package dev.sodec.codec.conformance;

import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.sodec.GenerativeDecoder;
import dev.sodec.codec.sodec.SodecConfig;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Golden kind {@code pipeline.sodec}: the encoder from {@code in.x} (y and both strings), the decoder from the
 * case's expected strings and z shape (decoder-only conformance), through the same loading path as a model file.
 */
public final class SodecKinds {
    private SodecKinds() {}

    public static void register(Kinds k) {
        k.register("pipeline.sodec", SodecKinds::run);
    }

    /** The case's model, built by {@link SodecModel#fromWeights} exactly as a model file's tensors are. */
    public static SodecModel model(GoldenCase c) throws IOException {
        return SodecModel.fromWeights(c.weights(), SodecConfig.from(c.config()),
                CompressionModel.idOf(c.dir().resolve("weights.safetensors")), c.id());
    }

    static Map<String, Tensor> run(GoldenCase c, Backend b) throws IOException {
        SodecModel model = model(c);
        if (c.call().has("timestep") && c.call().getInt("timestep") != model.config().timestep()) {
            throw new IllegalArgumentException("case calls timestep " + c.call().getInt("timestep") + ", config says " + model.config().timestep());
        }
        HyperpriorCodec codec = model.compression().codec();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Parallel par = new Parallel(Math.max(1, b.threads()))) {
            HyperpriorCodec.Encoded e = codec.compress(b, par, c.input("x"));
            out.put("y", e.y());
            out.put("y_string", Tensor.fromBytes(e.yString()));
            out.put("z_string", Tensor.fromBytes(e.zString()));
            out.put("z_shape", Tensor.fromInts(new int[] {e.z().dim(2), e.z().dim(3)}, 2));

            int[] zs = c.expected("z_shape").toIntArray();
            HyperpriorCodec.Decoded d = codec.decompress(b, par, c.expected("y_string").toByteArray(),
                    c.expected("z_string").toByteArray(), zs[0], zs[1]);
            // on F16/BF16 storage the encoder's latents may round differently: its own strings, not the reference's
            if (!TolerancePolicy.reduced(b.storage()) && !Arrays.equals(e.yIndexes().toIntArray(), d.yIndexes().toIntArray())) {
                throw new IllegalStateException("decoder chose different CDF indexes than the encoder");
            }
            out.put("z_hat", d.zHat());
            out.put("scales_hat", d.scales());
            out.put("means_hat", d.means());
            out.put("y_indexes", d.yIndexes());
            out.put("y_hat", d.yHat());
            GenerativeDecoder.Result r = model.decoder().decodeAll(b, d.yHat(), d.zHat());
            out.put("x_f", r.xF());
            out.put("w", r.w());
            out.put("y_t", r.yT());
            out.put("c_g", r.cG());
            out.put("eps", r.eps());
            out.put("y0", r.y0());
            out.put("x_hat", r.xHat());
        }
        return out;
    }
}
