/**
 * OneDC (onedc-codec/onedc, "One-Step Diffusion-Based Image Compression with Semantic Distillation"): the released
 * one-step diffusion codec, bit-exact with the reference in its entropy coding and file formats.
 *
 * <ul>
 *   <li>{@link dev.sodec.codec.onedc.OneDcModel} (a converted model file), {@link dev.sodec.codec.onedc.OneDcConfig},
 *       {@link dev.sodec.codec.onedc.OneDcNetworks} and {@link dev.sodec.codec.onedc.OneDcCodec}: compress and
 *       decompress on tensors; the networks that only shape the picture run as one graph per direction on a backend,
 *       everything that selects CDFs or feeds y_hat on the host ({@link dev.sodec.codec.onedc.FixedOrderPrior}).</li>
 *   <li>{@link dev.sodec.codec.onedc.nn}: DCVC and VQGAN blocks; {@link dev.sodec.codec.onedc.encoder}: the encoder's
 *       UNet2DModel; {@link dev.sodec.codec.onedc.net}: the codec modules (IntraNoAR); {@link dev.sodec.codec.onedc.unet}:
 *       the one-step SD 1.5 UNet with vae_reduction and x0. The SD VAE is {@code dev.sodec.codec.sodec.vae} with
 *       {@code attn_patch} windows.</li>
 *   <li>{@link dev.sodec.codec.onedc.entropy}: the byte-wise rANS, the Gaussian tables and scale index, the four-part
 *       prior; {@link dev.sodec.codec.onedc.fsq}: FSQ and the z stream; {@link dev.sodec.codec.onedc.format}: OneDC's
 *       {@code .bin} layout and its {@code .sdc} wrapping (codec/CONTAINER.md).</li>
 * </ul>
 */
package dev.sodec.codec.onedc;
