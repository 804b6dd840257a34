package dev.sodec.codec.onedc;

import dev.sodec.codec.onedc.net.CodecDecoder;
import dev.sodec.codec.onedc.net.CodecEncoder;
import dev.sodec.codec.onedc.net.HyperDecoder;
import dev.sodec.codec.onedc.net.HyperEncoder;
import dev.sodec.codec.onedc.net.IntraNoArConfig;
import dev.sodec.codec.onedc.net.SemanticAdaptor;
import dev.sodec.codec.onedc.net.SpatialPriorNets;
import dev.sodec.codec.onedc.net.YPriorFusion;
import dev.sodec.codec.onedc.unet.OneStepUNet;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vae.VaeEncoder;
import dev.sodec.engine.nn.StateDict;

/**
 * Every network of a OneDC model, loaded from engine names: {@code codec.*} (the IntraNoAR keys of
 * model_1.safetensors), {@code unet.*} (the merged SD 1.5 UNet with conv_in and vae_reduction) and {@code vae.*}
 * (AutoencoderKL). The encode side (codec {@code enc}, {@code hyper_enc} and the VAE encoder) is optional: a
 * decode-only file lacks it and can only decompress. {@link #loadCodec} loads the codec alone (no UNet or VAE).
 *
 * @param encoder null in a decode-only file
 * @param hyperEncoder null in a decode-only file
 * @param vaeEncoder null when the file has no VAE encoder
 * @param unet null for the codec alone
 * @param vaeDecoder null for the codec alone
 */
public record OneDcNetworks(CodecEncoder encoder, HyperEncoder hyperEncoder, HyperDecoder hyperDecoder, YPriorFusion fusion,
                            SpatialPriorNets spatialPrior, SemanticAdaptor adaptor, CodecDecoder decoder, OneStepUNet unet,
                            VaeDecoder vaeDecoder, VaeEncoder vaeEncoder) {

    /** The whole model from engine names. */
    public static OneDcNetworks load(StateDict sd, OneDcConfig c) {
        OneDcNetworks codec = loadCodec(sd.scope("codec"), c.codec());
        StateDict vae = sd.scope("vae");
        return new OneDcNetworks(codec.encoder, codec.hyperEncoder, codec.hyperDecoder, codec.fusion, codec.spatialPrior,
                codec.adaptor, codec.decoder, OneStepUNet.load(sd.scope("unet"), c.unet(), c.latentChannels(), c.schedule(), c.timestep()),
                VaeDecoder.load(vae, c.vae()), VaeEncoder.present(vae) ? VaeEncoder.load(vae, c.vae()) : null);
    }

    /** The codec (IntraNoAR) alone, from its own keys (model_1.safetensors names); unet and VAE are null. */
    public static OneDcNetworks loadCodec(StateDict codec, IntraNoArConfig cc) {
        boolean hasEncoder = codec.has("enc.pix_emb.weight") || codec.has("hyper_enc.fusion.5.weight");
        return new OneDcNetworks(hasEncoder ? CodecEncoder.load(codec.scope("enc"), cc) : null,
                hasEncoder ? HyperEncoder.load(codec.scope("hyper_enc"), cc) : null, HyperDecoder.load(codec.scope("hyper_dec"), cc),
                YPriorFusion.load(codec, cc), SpatialPriorNets.load(codec, cc), SemanticAdaptor.load(codec.scope("semantic_adaptor"), cc),
                CodecDecoder.load(codec.scope("dec"), cc), null, null, null);
    }

    /** Whether images can be compressed (the codec's encoder, hyper encoder and the VAE encoder are present). */
    public boolean canEncode() {
        return encoder != null && hyperEncoder != null && vaeEncoder != null;
    }
}
