package dev.sodec.codec.conformance;

import dev.sodec.codec.onedc.OneDcCodec;
import dev.sodec.codec.onedc.OneDcImages;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.onedc.OneDcRelease;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checkpoint kind {@code checkpoint.onedc.release} (../shared/checkpoints/onedc): the release folder plus the SD 1.5
 * UNet config, scheduler config and SD 2.1 VAE folder go through the converter ({@code sodec convert --onedc}) into a
 * temporary engine model file, which is loaded as a user's would be; then the case's file is decoded (every
 * intermediate of {@code onedc.pipeline}), {@code in.x} is re-encoded with the case's VAE latent (the bytes must be
 * the reference's) and the VAE encoder's mean of the padded {@code in.x} is compared.
 */
public final class OneDcCheckpointKinds {
    private OneDcCheckpointKinds() {}

    public static void register(Kinds k) {
        k.register("checkpoint.onedc.release", OneDcCheckpointKinds::run);
    }

    private static Map<String, Tensor> run(GoldenCase c, Backend b) throws Exception {
        Config cfg = c.config();
        Path dir = c.dir();
        int[] levels = cfg.getObject("codec").getIntList("z_fsq_levels");
        OneDcRelease.Options o = new OneDcRelease.Options(cfg.getObject("lora_config").getDouble("lora_alpha"),
                cfg.getInt("vae_attn_patch"), levels, false, dir.resolve(cfg.getString("scheduler_config_file")), Map.of());
        Path model = Files.createTempFile("sodec-onedc-", ".safetensors");
        try {
            try (Conversion conv = OneDcRelease.open(dir.resolve("release"), dir.resolve(cfg.getString("unet_config_file")),
                    dir.resolve(cfg.getString("vae_config_file")).getParent(), o)) {
                EngineWriter.write(conv.model(), model, DType.F32, conv.source());
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OneDcModel m = OneDcModel.load(model); Parallel par = new Parallel(Math.max(1, b.threads()))) {
                OneDcCodec codec = m.codec();
                out.putAll(OneDcCodecKinds.decodeFile(codec, b, par, c.input("file").toByteArray()));
                OneDcGeometry geo = new OneDcGeometry(c.call().getInt("height"), c.call().getInt("width"));
                Tensor xPad = OneDcImages.pad(c.input("x"), geo, false);
                OneDcFile file = codec.encode(b, par, xPad, c.input("cond"), geo, false).file();
                out.put("file_reencoded", Tensor.fromBytes(file.encode()));
                out.put("vae_latent_mean", codec.latent(b, xPad));
            }
            return out;
        } finally {
            Files.deleteIfExists(model);
        }
    }
}
