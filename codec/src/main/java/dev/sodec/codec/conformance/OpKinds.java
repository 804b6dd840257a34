package dev.sodec.codec.conformance;

import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.nn.Attention;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.ConvTranspose2d;
import dev.sodec.engine.nn.FeedForward;
import dev.sodec.engine.nn.GDN;
import dev.sodec.engine.nn.GroupNorm;
import dev.sodec.engine.nn.LayerNorm;
import dev.sodec.engine.nn.Linear;
import dev.sodec.engine.nn.ResnetBlock2D;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.nn.TimestepEmbedding;
import dev.sodec.engine.nn.Timesteps;
import dev.sodec.engine.nn.Transformer2DModel;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The single-op ({@code op.*}) and block ({@code block.*}) kinds of golden FORMAT.md section 5. */
public final class OpKinds {
    private OpKinds() {}

    public static void register(Kinds k) {
        k.register("op.conv2d", (c, b) -> withWeights(c, sd -> {
            Config cfg = c.config();
            if (!cfg.getString("padding_mode", "zeros").equals("zeros")) throw new IllegalArgumentException("only zero padding is supported");
            Conv2dParams p = new Conv2dParams(square(cfg, "stride"), square(cfg, "stride"), square(cfg, "padding"),
                    square(cfg, "padding"), square(cfg, "dilation"), square(cfg, "dilation"), cfg.getInt("groups", 1), 0, 0);
            return Conv2d.load(sd, cfg.getInt("in_channels"), cfg.getInt("out_channels"), square(cfg, "kernel_size"), p);
        }, b, (conv, g, x) -> conv.forward(g, x)));
        k.register("op.conv_transpose2d", (c, b) -> withWeights(c, sd -> {
            Config cfg = c.config();
            int op = square(cfg, "output_padding");
            Conv2dParams p = new Conv2dParams(square(cfg, "stride"), square(cfg, "stride"), square(cfg, "padding"),
                    square(cfg, "padding"), square(cfg, "dilation"), square(cfg, "dilation"), cfg.getInt("groups", 1), op, op);
            return ConvTranspose2d.load(sd, cfg.getInt("in_channels"), cfg.getInt("out_channels"), square(cfg, "kernel_size"), p);
        }, b, (conv, g, x) -> conv.forward(g, x)));
        k.register("op.linear", (c, b) -> withWeights(c, sd -> {
            Config cfg = c.config();
            return Linear.load(sd, cfg.getInt("in_features"), cfg.getInt("out_features"), cfg.getBool("bias", true));
        }, b, (lin, g, x) -> lin.forward(g, x)));
        k.register("op.group_norm", (c, b) -> withWeights(c, sd -> {
            Config cfg = c.config();
            return GroupNorm.load(sd, cfg.getInt("num_groups"), cfg.getInt("num_channels"), (float) cfg.getDouble("eps", 1e-5),
                    cfg.getBool("affine", true));
        }, b, (gn, g, x) -> gn.forward(g, x)));
        k.register("op.layer_norm", (c, b) -> withWeights(c, sd -> {
            Config cfg = c.config();
            int[] shape = cfg.getIntList("normalized_shape");
            if (shape.length != 1) throw new IllegalArgumentException("layer_norm over more than the last dim is not supported");
            if (!cfg.getBool("bias", true)) throw new IllegalArgumentException("layer_norm without bias is not supported");
            return LayerNorm.load(sd, shape[0], (float) cfg.getDouble("eps", 1e-5), cfg.getBool("elementwise_affine", true));
        }, b, (ln, g, x) -> ln.forward(g, x)));
        k.register("op.gdn", (c, b) -> gdn(c, b, false));
        k.register("op.igdn", (c, b) -> gdn(c, b, true));
        k.register("op.attention", (c, b) -> {
            Attention attn = load(c, sd -> Attention.load(sd, Attention.Spec.fromDiffusers(c.config())));
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("hidden_states", c.input("hidden_states"));
            if (c.inputNames().contains("encoder_hidden_states")) in.put("encoder_hidden_states", c.input("encoder_hidden_states"));
            return new Eager(b).run(in, (g, n) -> g.output("y", attn.forward(g, n.get("hidden_states"), n.get("encoder_hidden_states"))));
        });
        k.register("op.geglu_ff", (c, b) -> withWeights(c, sd -> FeedForward.load(sd, FeedForward.Spec.fromDiffusers(c.config())),
                b, (ff, g, x) -> ff.forward(g, x)));
        k.register("op.timestep_embedding", OpKinds::timestepEmbedding);
        unary(k, "op.gelu_erf", Graph::geluErf);
        unary(k, "op.gelu_tanh", Graph::geluTanh);
        unary(k, "op.silu", Graph::silu);
        unary(k, "op.softmax", Graph::softmax);
        unary(k, "op.upsample_nearest2x", (g, x) -> g.upsampleNearest(x, 2 * x.dim(2), 2 * x.dim(3)));
        k.register("op.pixel_shuffle", (c, b) -> single(b, "x", c.input("x"), (g, x) -> g.pixelShuffle(x, c.config().getInt("r"))));
        k.register("block.resnet2d", (c, b) -> {
            ResnetBlock2D block = load(c, sd -> ResnetBlock2D.load(sd, ResnetBlock2D.Spec.fromDiffusers(c.config())));
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("x", c.input("x"));
            in.put("temb", c.input("temb"));
            return new Eager(b).run(in, (g, n) -> g.output("y", block.forward(g, n.get("x"), n.get("temb"))));
        });
        k.register("block.transformer2d", (c, b) -> {
            Transformer2DModel t = load(c, sd -> Transformer2DModel.load(sd, Transformer2DModel.Spec.fromDiffusers(c.config())));
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("hidden_states", c.input("hidden_states"));
            in.put("encoder_hidden_states", c.input("encoder_hidden_states"));
            return new Eager(b).run(in, (g, n) -> g.output("y", t.forward(g, n.get("hidden_states"), n.get("encoder_hidden_states"))));
        });
    }

    private static void unary(Kinds k, String kind, BiFunction<Graph, Node, Node> op) {
        k.register(kind, (c, b) -> single(b, "x", c.input("x"), op));
    }

    /** Builds a module from the case's weights (mapped to engine names) and proves every weight was used. */
    static <M> M load(GoldenCase c, Function<StateDict, M> loader) {
        StateDict sd = new StateDict(NameMaps.toEngine(c.naming(), c.weights()), c.id() + "/weights.safetensors");
        M m = loader.apply(sd);
        sd.requireAllConsumed();
        return m;
    }

    /** One input {@code name}, one output "y". */
    static Map<String, Tensor> single(Backend b, String name, Tensor x, BiFunction<Graph, Node, Node> body) {
        return new Eager(b).run(Map.of(name, x), (g, in) -> g.output("y", body.apply(g, in.get(name))));
    }

    /** How a module records its forward. */
    private interface Forward<M> {
        Node apply(M module, Graph g, Node x);
    }

    /** The common single-input "x -> y" case with weights. */
    private static <M> Map<String, Tensor> withWeights(GoldenCase c, Function<StateDict, M> loader, Backend b, Forward<M> fwd) {
        M m = load(c, loader);
        return single(b, "x", c.input("x"), (g, x) -> fwd.apply(m, g, x));
    }

    private static Map<String, Tensor> gdn(GoldenCase c, Backend b, boolean inverse) {
        Config cfg = c.config();
        if (cfg.getBool("inverse") != inverse) throw new IllegalArgumentException(c.kind() + " case has inverse=" + cfg.getBool("inverse"));
        GDN gdn = load(c, sd -> GDN.load(sd, cfg.getInt("in_channels"), inverse));
        return single(b, "x", c.input("x"), gdn::forward);
    }

    private static Map<String, Tensor> timestepEmbedding(GoldenCase c, Backend b) {
        Config cfg = c.config();
        int ch = cfg.getInt("num_channels"), dim = cfg.getInt("time_embed_dim");
        Timesteps ts = new Timesteps(ch, cfg.getBool("flip_sin_to_cos"), (float) cfg.getDouble("downscale_freq_shift"));
        TimestepEmbedding emb = load(c, sd -> TimestepEmbedding.load(sd.scope("time_embedding"), ch, dim));
        Tensor tEmb = ts.forward(c.input("timesteps"));
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("t_emb", tEmb);
        m.put("emb", single(b, "t_emb", tEmb, emb::forward).get("y"));
        return m;
    }

    /** A torch size argument that may be an int or a square pair. */
    private static int square(Config cfg, String key) {
        if (!cfg.has(key)) {
            return switch (key) {
                case "stride", "dilation" -> 1;
                case "padding", "output_padding" -> 0;
                default -> throw new IllegalArgumentException("missing config key '" + key + "'");
            };
        }
        int[] v = cfg.getIntList(key);
        if (v.length == 1 || (v.length == 2 && v[0] == v[1])) return v[0];
        throw new IllegalArgumentException("config '" + key + "' = " + java.util.Arrays.toString(v) + ": only square values are supported");
    }

    private static Map<String, Tensor> out(String name, Tensor t) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(name, t);
        return m;
    }
}
