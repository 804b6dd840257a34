package dev.sodec.codec.conformance;

import dev.sodec.codec.onedc.net.CodecDecoder;
import dev.sodec.codec.onedc.net.CodecEncoder;
import dev.sodec.codec.onedc.net.HyperDecoder;
import dev.sodec.codec.onedc.net.HyperEncoder;
import dev.sodec.codec.onedc.net.IntraNoArConfig;
import dev.sodec.codec.onedc.net.SemanticAdaptor;
import dev.sodec.codec.onedc.net.SpatialPriorNets;
import dev.sodec.codec.onedc.net.YPriorFusion;
import dev.sodec.codec.onedc.nn.AttnBlock;
import dev.sodec.codec.onedc.nn.Block;
import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.ResidualBlockUpsample;
import dev.sodec.codec.onedc.nn.ResnetBlock;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Conformance kinds of OneDC's blocks and codec modules (golden FORMAT.md section 7, naming {@code onedc}: the
 * reference's own keys), each built through its loader from the case's weights and run as one graph on the backend.
 */
public final class OneDcNetworkKinds {
    private OneDcNetworkKinds() {}

    public static void register(Kinds k) {
        k.register("onedc.block.dcb4", (c, b) -> block(c, b, sd -> DepthConvBlock4.load(sd, c.config().getInt("in_ch"), c.config().getInt("out_ch"))));
        k.register("onedc.block.rbu", (c, b) -> {
            if (c.config().getInt("upsample", 2) != 2) throw new IllegalArgumentException("onedc.block.rbu: OneDC upsamples by 2");
            return block(c, b, sd -> ResidualBlockUpsample.load(sd, c.config().getInt("in_ch"), c.config().getInt("out_ch")));
        });
        k.register("onedc.block.resnet", (c, b) -> {
            Config cfg = c.config();
            int in = cfg.getInt("in_channels");
            int out = cfg.has("out_channels") && cfg.asMap().get("out_channels") != null ? cfg.getInt("out_channels") : in;
            return block(c, b, sd -> ResnetBlock.load(sd, in, out));
        });
        k.register("onedc.block.attn", (c, b) -> block(c, b, sd -> AttnBlock.load(sd, c.config().getInt("in_channels"))));
        k.register("onedc.hyper_dec", OneDcNetworkKinds::hyperDec);
        k.register("onedc.y_prior", OneDcNetworkKinds::yPrior);
        k.register("onedc.semantic_adaptor", (c, b) -> {
            SemanticAdaptor m = load(c, sd -> SemanticAdaptor.load(sd.scope("semantic_adaptor"), config(c)));
            return new Eager(b).run(Map.of("z_semantic", c.input("z_semantic")), (g, in) -> g.output("y_semantic", m.forward(g, in.get("z_semantic"))));
        });
        k.register("onedc.dec", (c, b) -> {
            CodecDecoder m = load(c, sd -> CodecDecoder.load(sd.scope("dec"), config(c)));
            return new Eager(b).run(inputs(c, "y_hat", "y_semantic"), (g, in) -> g.output("x_hat", m.forward(g, in.get("y_hat"), in.get("y_semantic"))));
        });
        k.register("onedc.hyper_enc", (c, b) -> {
            HyperEncoder m = load(c, sd -> HyperEncoder.load(sd.scope("hyper_enc"), config(c)));
            return new Eager(b).run(inputs(c, "y", "sem"), (g, in) -> g.output("z", m.forward(g, in.get("y"), in.get("sem"))));
        });
        k.register("onedc.enc", (c, b) -> {
            CodecEncoder m = load(c, sd -> CodecEncoder.load(sd.scope("enc"), config(c)));
            return new Eager(b).run(inputs(c, "x", "cond"), (g, in) -> {
                CodecEncoder.Output o = m.forward(g, in.get("x"), in.get("cond"));
                g.output("y", o.y());
                g.output("sem", o.sem());
            });
        });
    }

    static IntraNoArConfig config(GoldenCase c) {
        return IntraNoArConfig.from(c.config());
    }

    /** Builds a module from the case's weights (OneDC keys as they are) and proves every weight was used. */
    static <M> M load(GoldenCase c, Function<StateDict, M> loader) {
        StateDict sd = new StateDict(c.weights(), c.id() + "/weights.safetensors");
        M m = loader.apply(sd);
        sd.requireAllConsumed();
        return m;
    }

    static Map<String, Tensor> inputs(GoldenCase c, String... names) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String n : names) m.put(n, c.input(n));
        return m;
    }

    private static Map<String, Tensor> block(GoldenCase c, Backend b, Function<StateDict, Block> loader) {
        Block m = load(c, loader);
        return new Eager(b).run(Map.of("x", c.input("x")), (g, in) -> g.output("y", m.forward(g, in.get("x"))));
    }

    private static Map<String, Tensor> hyperDec(GoldenCase c, Backend b) {
        HyperDecoder m = load(c, sd -> HyperDecoder.load(sd.scope("hyper_dec"), config(c)));
        return new Eager(b).run(Map.of("z_hat", c.input("z_hat")), (g, in) -> {
            var sem = m.semantic(g, in.get("z_hat"));
            g.output("entropy_feat", m.entropy(g, sem));
            g.output("z_semantic", sem);
        });
    }

    private static Map<String, Tensor> yPrior(GoldenCase c, Backend b) {
        record Nets(YPriorFusion fusion, SpatialPriorNets spatial) {}
        Nets m = load(c, sd -> new Nets(YPriorFusion.load(sd, config(c)), SpatialPriorNets.load(sd, config(c))));
        return new Eager(b).run(inputs(c, "feat", "y_hat_so_far"), (g, in) -> {
            var params = g.output("params", m.fusion().forward(g, in.get("feat")));
            var common = g.output("common", m.spatial().reduce(g, params));
            for (int s = 1; s <= 3; s++) g.output("sp_" + s, m.spatial().stepParams(g, s, in.get("y_hat_so_far"), common));
        });
    }
}
