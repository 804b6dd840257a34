package dev.sodec.convert.model;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.names.LdmNames;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Original Stable Diffusion single files (.ckpt / .safetensors in LDM naming): the UNet or the VAE, renamed to
 * diffusers names, with the diffusers config derived by {@link LdmConfig} and checked by {@link Layouts}. Other
 * components in the file (text encoder, EMA copies) are ignored.
 */
public final class LdmSingleFile {
    private LdmSingleFile() {}

    public static boolean isLdm(Map<String, Tensor> sd) {
        for (String k : sd.keySet()) {
            if (k.startsWith(LdmNames.UNET_PREFIX) || k.startsWith(LdmNames.VAE_PREFIX)) return true;
        }
        return false;
    }

    /** Takes ownership of {@code w}: it is closed with the returned conversion. */
    public static Conversion unet(Weights w, Config ldmConfig) throws CheckpointException {
        Map<String, Tensor> ldm = LdmNames.under(w.tensors(), LdmNames.UNET_PREFIX);
        if (ldm.isEmpty()) throw new CheckpointException(w.fileName() + ": no UNet keys (" + LdmNames.UNET_PREFIX + "*) in this file");
        Map<String, Object> config = LdmConfig.unet(ldm, ldmConfig, w.fileName());
        return Diffusers.unet(config, LdmNames.unet(ldm, w.fileName()), w.fileName(), List.of(w));
    }

    public static Conversion vae(Weights w, Config ldmConfig, boolean decoderOnly) throws CheckpointException {
        Map<String, Tensor> ldm = LdmNames.under(w.tensors(), LdmNames.VAE_PREFIX);
        if (ldm.isEmpty()) throw new CheckpointException(w.fileName() + ": no VAE keys (" + LdmNames.VAE_PREFIX + "*) in this file");
        Map<String, Object> config = LdmConfig.vae(ldm, ldmConfig, w.fileName());
        return Diffusers.vae(config, LdmNames.vae(ldm, w.fileName()), decoderOnly, w.fileName(), List.of(w));
    }
}
