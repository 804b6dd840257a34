/**
 * OneDC (onedc-codec/onedc, "One-Step Diffusion-Based Image Compression with Semantic Distillation"): the entropy
 * coding and file formats, bit-exact with the reference. The networks are not here yet.
 *
 * <ul>
 *   <li>{@link dev.sodec.codec.onedc.entropy}: the byte-wise rANS ({@code OneDcRansEncoder} / {@code OneDcRansDecoder}),
 *       the Gaussian tables and scale index ({@code OneDcGaussian}), and the four-part prior
 *       ({@code FourPartPrior}), whose networks a {@code SpatialPrior} supplies.</li>
 *   <li>{@link dev.sodec.codec.onedc.fsq}: FSQ ({@code Fsq}) and the fixed-length z stream ({@code ZPacking}).</li>
 *   <li>{@link dev.sodec.codec.onedc.format}: OneDC's {@code .bin} layout ({@code OneDcFile}), sizes and padding
 *       ({@code OneDcGeometry}) and the {@code .sdc} wrapping ({@code OneDcSdc}); byte tables in codec/CONTAINER.md.</li>
 * </ul>
 *
 * Decoding a file: {@code OneDcSdc.read(bytes)} -> {@code ZPacking.unpack(file.zStream(), geometry.zCount(), 14)} ->
 * {@code Fsq.onedc().codesOf(indices)} (z_hat, channel-first 7 x zh x zw) -> hyper_dec, y_prior_fusion (networks) ->
 * {@code new FourPartPrior(N, yh, yw).decompress(file.yStream(), params, spatialPrior)} (or {@code meansOnly} for the
 * z-only variant) -> y_hat.
 */
package dev.sodec.codec.onedc;
