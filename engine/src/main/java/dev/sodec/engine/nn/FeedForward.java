package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;

/**
 * diffusers FeedForward: net.0 (activation with its own projection net.0.proj), net.1 dropout (identity),
 * net.2 Linear(inner, dimOut). With "geglu" net.0.proj maps dim -> 2 inner and the output is
 * hidden * gelu(gate) with hidden the first half.
 */
public final class FeedForward {
    public enum Activation {
        GEGLU, GELU, GELU_TANH;

        /** diffusers activation_fn names. */
        public static Activation fromDiffusers(String name) {
            return switch (name) {
                case "geglu" -> GEGLU;
                case "gelu" -> GELU;
                case "gelu-approximate" -> GELU_TANH;
                default -> throw new IllegalArgumentException("FeedForward activation_fn '" + name + "' is not supported");
            };
        }
    }

    public record Spec(int dim, int dimOut, int innerDim, Activation activation) {
        public Spec {
            if (dim < 1 || dimOut < 1 || innerDim < 1) throw new IllegalArgumentException("invalid FeedForward sizes " + this);
        }

        /** From diffusers FeedForward kwargs (dim, dim_out, mult, inner_dim, activation_fn). */
        public static Spec fromDiffusers(Config c) {
            int dim = c.getInt("dim");
            int inner = c.has("inner_dim") ? c.getInt("inner_dim") : dim * c.getInt("mult", 4);
            return new Spec(dim, c.getInt("dim_out", dim), inner,
                    Activation.fromDiffusers(c.getString("activation_fn", "geglu")));
        }
    }

    public final Spec spec;
    public final Linear proj;
    public final Linear out;

    private FeedForward(Spec spec, Linear proj, Linear out) {
        this.spec = spec;
        this.proj = proj;
        this.out = out;
    }

    public static FeedForward load(StateDict sd, Spec spec) {
        int projOut = spec.activation() == Activation.GEGLU ? 2 * spec.innerDim() : spec.innerDim();
        return new FeedForward(spec,
                Linear.load(sd.scope("net.0.proj"), spec.dim(), projOut, true),
                Linear.load(sd.scope("net.2"), spec.innerDim(), spec.dimOut(), true));
    }

    public Node forward(Graph g, Node x) {
        Node h = proj.forward(g, x);
        h = switch (spec.activation()) {
            case GEGLU -> g.geglu(h);
            case GELU -> g.geluErf(h);
            case GELU_TANH -> g.geluTanh(h);
        };
        return out.forward(g, h);
    }
}
