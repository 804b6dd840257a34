package dev.sodec.codec.onedc.entropy;

import dev.sodec.engine.tensor.Tensor;

/**
 * The networks OneDC's four-part prior runs between its steps ({@code IntraNoAR} modules
 * {@code y_spatial_prior_reduction}, {@code y_spatial_prior_adaptor_{1,2,3}} and {@code y_spatial_prior}), implemented
 * by the network code; {@link FourPartPrior} holds the entropy logic around them. Shapes are batch 1, NCHW, N = the
 * bottleneck channels (y has N channels, the params 2N: scales then means).
 */
public interface SpatialPrior {
    /**
     * {@code common = y_spatial_prior_reduction(params)}: (1, 2N, H, W) -> (1, N, H, W). Called once per image with
     * the step-0 params (the {@code y_prior_fusion} output); the result is passed back to every
     * {@link #stepParams} call of that image.
     */
    Tensor reduce(Tensor params);

    /**
     * The params of step {@code step} (1, 2 or 3):
     * {@code y_spatial_prior(y_spatial_prior_adaptor_<step>(cat(yHatSoFar, common)))} (cat order: y_hat first),
     * (1, 2N, H, W).
     *
     * @param yHatSoFar (1, N, H, W): the y_hat of the positions coded by the previous steps, 0 elsewhere
     */
    Tensor stepParams(int step, Tensor yHatSoFar, Tensor common);
}
