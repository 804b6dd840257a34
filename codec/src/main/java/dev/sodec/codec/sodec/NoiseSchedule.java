package dev.sodec.codec.sodec;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;

/**
 * The one-step x0 estimate at a fixed timestep of diffusers' DDPMScheduler with the "scaled_linear" beta schedule,
 * computed in float32 exactly as torch does it, because the decoder divides by c0 = sqrt(abar) ~ 0.068 and any
 * rounding difference in abar is amplified 15x in y0.
 *
 * <p>betas = linspace(sqrt(beta_start), sqrt(beta_end), T, float32)^2; abar = cumprod(1 - betas) (torch CPU
 * semantics, see {@link #alphaBar}); c0 = f32 sqrt(abar_t), c1 = f32 sqrt(1 - abar_t).
 */
public final class NoiseSchedule {
    /** What the UNet predicts (diffusers' prediction_type). */
    public enum Prediction {
        EPSILON("epsilon"), V_PREDICTION("v_prediction");

        public final String id;

        Prediction(String id) { this.id = id; }

        public static Prediction fromId(String id) {
            for (Prediction p : values()) if (p.id.equals(id)) return p;
            throw new IllegalArgumentException("prediction_type '" + id + "' is not supported (epsilon or v_prediction)");
        }
    }

    /** Schedules longer than this are refused as corrupt configs (SD uses 1000). */
    static final int MAX_TIMESTEPS = 1 << 20;

    public final float alphaBar;
    public final float c0;
    public final float c1;
    public final Prediction prediction;

    public NoiseSchedule(double betaStart, double betaEnd, int numTrainTimesteps, int timestep, Prediction prediction) {
        if (numTrainTimesteps < 2 || numTrainTimesteps > MAX_TIMESTEPS) {
            throw new IllegalArgumentException("num_train_timesteps " + numTrainTimesteps + " out of range 2.." + MAX_TIMESTEPS);
        }
        if (timestep < 0 || timestep >= numTrainTimesteps) {
            throw new IllegalArgumentException("timestep " + timestep + " outside 0.." + (numTrainTimesteps - 1));
        }
        if (!(betaStart > 0 && betaEnd > 0 && betaStart < 1 && betaEnd < 1)) {
            throw new IllegalArgumentException("betas must lie in (0, 1), got " + betaStart + ".." + betaEnd);
        }
        this.alphaBar = alphaBar(betaStart, betaEnd, numTrainTimesteps, timestep);
        if (!(alphaBar > 0)) throw new IllegalArgumentException("alpha_bar at timestep " + timestep + " underflows to 0");
        this.c0 = (float) Math.sqrt(alphaBar);
        this.c1 = (float) Math.sqrt(1f - alphaBar);
        this.prediction = prediction;
    }

    /** Lanes per vector of torch's AVX2 CPU kernels (8 floats), which the linspace values depend on. */
    private static final int TORCH_VEC = 8;

    /**
     * cumprod(1 - betas)[t] as torch 1.13 computes it on the CPU (what diffusers' DDPMScheduler gives and the golden
     * case notes pin: abar_999 = 0.0046600960195064545).
     *
     * <p>linspace(start, end, steps) in float32: step = (end - start) / (steps - 1); elements before steps / 2 count
     * up from start, the rest down from end. The vectorized kernel takes two vectors of 8 per iteration, computes
     * each vector's first element with a fused multiply-add (the compiler contracts start + step * idx) and the
     * other lanes as first + k * step; the elements past the last whole pair of vectors come from the scalar
     * kernel. cumprod accumulates in double (torch's acc_type for float) and rounds each output to float. A plain
     * float loop lands 1e-6 (relative) away, which y0 = (y_t - c1 eps) / c0 amplifies.
     */
    static float alphaBar(double betaStart, double betaEnd, int steps, int t) {
        float start = (float) Math.sqrt(betaStart), end = (float) Math.sqrt(betaEnd);
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        int vectorized = steps / (2 * TORCH_VEC) * (2 * TORCH_VEC);
        double prod = 1.0;
        float abar = 1f;
        for (int i = 0; i <= t; i++) {
            float s;
            if (i < vectorized) {
                int first = i - i % TORCH_VEC, lane = i % TORCH_VEC;
                float base = first < halfway ? Math.fma(step, (float) first, start)
                        : Math.fma(-step, (float) (steps - first - 1), end);
                s = base + (float) lane * step;
            } else {
                s = i < halfway ? start + step * (float) i : end - step * (float) (steps - i - 1);
            }
            float beta = s * s;
            prod *= 1f - beta;
            abar = (float) prod;
        }
        return abar;
    }

    /**
     * y0 from the noisy latent and the UNet output, recorded into {@code g}: epsilon: (y_t - c1 eps) / c0, computed
     * as (y_t + (-c1) eps) * (1 / c0); v: c0 y_t - c1 v. Float32 throughout (within an ulp of torch's order).
     */
    public Node x0(Graph g, Node yT, Node out) {
        if (prediction == Prediction.EPSILON) return g.scale(g.add(yT, g.scale(out, -c1, 0f)), 1f / c0, 0f);
        return g.add(g.scale(yT, c0, 0f), g.scale(out, -c1, 0f));
    }
}
