package dev.sodec.engine.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;

/**
 * CompressAI's GDN / IGDN. The checkpoint holds reparametrized {@code beta}, {@code gamma} and the
 * NonNegativeParametrizer buffers; the effective values {@code max(p, bound)^2 - pedestal} are computed once at
 * load time, in float32 like the reference.
 */
public final class GDN {
    public final Tensor betaEffective;
    public final Tensor gammaEffective;
    public final boolean inverse;

    private GDN(Tensor beta, Tensor gamma, boolean inverse) {
        this.betaEffective = beta;
        this.gammaEffective = gamma;
        this.inverse = inverse;
    }

    public static GDN load(StateDict sd, int channels, boolean inverse) {
        Tensor beta = reparam(sd.take("beta", channels), sd.scope("beta_reparam"));
        Tensor gamma = reparam(sd.take("gamma", channels, channels), sd.scope("gamma_reparam"));
        return new GDN(beta, gamma, inverse);
    }

    private static Tensor reparam(Tensor raw, StateDict sd) {
        float bound = sd.take("lower_bound.bound").toF32().getFloat(0);
        float pedestal = sd.take("pedestal").toF32().getFloat(0);
        float[] v = raw.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            float m = Math.max(v[i], bound);
            v[i] = m * m - pedestal;
        }
        return Tensor.fromFloats(v, raw.shape());
    }

    public Node forward(Graph g, Node x) {
        return g.gdn(x, betaEffective, gammaEffective, inverse);
    }
}
