package dev.sodec.codec.conformance;

import dev.sodec.codec.onedc.FixedOrderPrior;
import dev.sodec.codec.onedc.entropy.FourPartPrior;
import dev.sodec.codec.onedc.net.SpatialPriorNets;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conformance kinds of OneDC's coding with its networks: {@code onedc.four_part} (the four-part prior with the
 * prior networks on the fixed-order path the codec uses).
 */
public final class OneDcCodecKinds {
    private OneDcCodecKinds() {}

    public static void register(Kinds k) {
        k.register("onedc.four_part", OneDcCodecKinds::fourPart);
    }

    private static Map<String, Tensor> fourPart(GoldenCase c, Backend b) {
        SpatialPriorNets nets = OneDcNetworkKinds.load(c, sd -> SpatialPriorNets.load(sd, OneDcNetworkKinds.config(c)));
        FixedOrderPrior prior = new FixedOrderPrior(null, null, nets);
        Tensor y = c.input("y"), params = c.input("params");
        FourPartPrior fp = FourPartPrior.forShape(y.shape());
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Parallel par = new Parallel(Math.max(1, b.threads()))) {
            FourPartPrior.Encoded e = fp.compress(y, params, prior.spatial(par));
            int[] plane = {1, y.dim(1) / 4, y.dim(2), y.dim(3)};
            for (int s = 0; s < FourPartPrior.STEPS; s++) {
                out.put("symbols_" + s, Tensor.fromInts(e.symbols()[s], plane));
                out.put("scales_" + s, Tensor.fromFloats(e.scales()[s], plane));
                out.put("indexes_" + s, Tensor.fromInts(e.indexes()[s], plane));
            }
            out.put("y_hat", e.yHat());
            out.put("y_stream", Tensor.fromBytes(e.stream()));
            out.put("y_hat_dec", fp.decompress(e.stream(), params, prior.spatial(par)));
        }
        return out;
    }
}
