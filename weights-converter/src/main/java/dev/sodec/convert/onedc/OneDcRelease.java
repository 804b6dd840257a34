package dev.sodec.convert.onedc;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.lora.PeftUnmerged;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.model.Diffusers;
import dev.sodec.convert.model.EngineModel;
import dev.sodec.convert.model.Layouts;
import dev.sodec.convert.model.OneDcLayouts;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A released OneDC model (onedc-codec/onedc) to ONE engine model: the release folder as accelerate's
 * {@code save_state} writes it ({@code model.safetensors} = the SD 1.5 UNet with unmerged PEFT LoRA, its 3x3
 * {@code conv_in} from the codec's ctrl channels and the {@code vae_reduction} head; {@code model_1.safetensors} =
 * the codec IntraNoAR) plus the two Hub parts OneDC downloads: the SD 1.5 UNet {@code config.json} and the SD 2.1
 * VAE diffusers folder. LoRA is merged here (W += alpha / r B A); everything is checked key by key against the
 * layout the configs imply, so a missing part, a wrong key or a wrong shape is refused with one line naming the file
 * and the key.
 *
 * <p>Engine names: {@code unet.} + the merged diffusers UNet keys (incl. {@code unet.vae_reduction.*}),
 * {@code codec.} + the model_1 keys, {@code vae.} + the diffusers AutoencoderKL keys (encoder and decoder). The
 * config (weights-converter/README.md, "OneDC") names the family ({@code "architecture": "onedc"}) and every size.
 */
public final class OneDcRelease {
    public static final String UNET_FILE = "model.safetensors";
    public static final String CODEC_FILE = "model_1.safetensors";
    /** OneDC's config_inference.yaml: lora_config.lora_alpha (the rank comes from the weights). */
    public static final double DEFAULT_LORA_ALPHA = 8.0;
    /** OneDC's config_inference.yaml: vae_attn_patch (16x16 latent windows in the VAE mid-block attention). */
    public static final int DEFAULT_ATTN_PATCH = 16;
    /** OneDC's conditioning_timestep. */
    public static final int TIMESTEP = 999;
    /** diffusers AutoencoderKL's default scaling factor (the SD 2.1 VAE config does not state one). */
    public static final double DEFAULT_SCALING_FACTOR = 0.18215;

    /**
     * @param loraAlpha PEFT lora_alpha of the UNet's adapter (the release's yaml: 8)
     * @param attnPatch VAE mid-block attention window, in latent pixels (the release's yaml: 16)
     * @param fsqLevels the codec's z_fsq_levels (the release's yaml: [4]*7)
     * @param zOnly the z-only variant (models/sd15_onedc_codec_z_only: same modules, y_hat = the prior's means)
     * @param schedulerConfig the SD 1.5 scheduler_config.json (for the schedule constants), or null for SD 1.5's
     *     scaled_linear 0.00085..0.012 over 1000 steps
     * @param extraConfig entries added to the config last (e.g. the computed alpha_bar)
     */
    public record Options(double loraAlpha, int attnPatch, int[] fsqLevels, boolean zOnly, Path schedulerConfig,
                          Map<String, Object> extraConfig) {
        public static Options defaults() {
            return new Options(DEFAULT_LORA_ALPHA, DEFAULT_ATTN_PATCH, OneDcCodecConfig.ONEDC_FSQ_LEVELS, false, null, Map.of());
        }
    }

    private OneDcRelease() {}

    /**
     * Reads, checks and maps the three inputs; the result points into the open files until closed.
     *
     * @param release the release folder (model.safetensors, model_1.safetensors)
     * @param unetConfig the SD 1.5 UNet config.json
     * @param vae the SD 2.1 VAE diffusers folder (config.json, diffusion_pytorch_model.safetensors)
     */
    public static Conversion open(Path release, Path unetConfig, Path vae, Options o) throws IOException {
        if (!(o.loraAlpha() > 0) || Double.isInfinite(o.loraAlpha())) throw new IllegalArgumentException("lora alpha " + o.loraAlpha() + " must be positive");
        if (o.attnPatch() < 1) throw new IllegalArgumentException("attention window " + o.attnPatch() + " must be positive");
        Path unetFile = release.resolve(UNET_FILE), codecFile = release.resolve(CODEC_FILE);
        requireFile(unetFile, "the OneDC release's UNet (accelerate save_state model.safetensors)");
        requireFile(codecFile, "the OneDC release's codec (accelerate save_state model_1.safetensors)");
        requireFile(unetConfig, "the SD 1.5 UNet config.json");
        if (!Files.isDirectory(vae)) throw new CheckpointException(vae + ": no such folder (the SD 2.1 VAE diffusers folder)");
        requireFile(vae.resolve("config.json"), "the SD 2.1 VAE config.json");
        if (o.schedulerConfig() != null) requireFile(o.schedulerConfig(), "the SD 1.5 scheduler_config.json");

        List<AutoCloseable> open = new ArrayList<>();
        try {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("architecture", "onedc");
            config.put("z_only", o.zOnly());
            Map<String, Pending> weights = new LinkedHashMap<>();

            // The codec (model_1.safetensors): sizes from the shapes, then every key checked.
            Weights cw = Checkpoints.open(codecFile);
            open.add(cw);
            Map<String, Tensor> codec = Checkpoints.stripCommonPrefix(cw.tensors(), "module.");
            OneDcCodecConfig cc = OneDcCodecConfig.derive(codec, o.fsqLevels(), CODEC_FILE);
            Layouts.check(CODEC_FILE, cc.layout(), codec);
            config.put("codec", cc.toMap());
            codec.forEach((k, t) -> weights.put("codec." + k, Pending.of(t)));

            // The UNet (model.safetensors): LoRA merged, conv_in from the codec's ctrl channels, vae_reduction.
            String unetCfgName = unetConfig.getParent() == null ? unetConfig.toString() : unetConfig.getParent().getFileName() + "/" + unetConfig.getFileName();
            if (!"UNet2DConditionModel".equals(Diffusers.className(unetConfig))) {
                throw new CheckpointException(unetCfgName + ": _class_name " + Diffusers.className(unetConfig) + ", not UNet2DConditionModel (the SD 1.5 UNet config)");
            }
            Map<String, Object> unetCfg = Diffusers.readConfig(unetConfig);
            Weights uw = Checkpoints.open(unetFile);
            open.add(uw);
            Map<String, Tensor> unetSd = Checkpoints.stripCommonPrefix(uw.tensors(), "module.");
            if (!PeftUnmerged.isUnmerged(unetSd)) {
                throw new CheckpointException(UNET_FILE + ": holds no PEFT LoRA layers (*.base_layer.*, *.lora_A.default.weight): not a OneDC release UNet");
            }
            PeftUnmerged.Merged unet = PeftUnmerged.merge(unetSd, o.loraAlpha(), UNET_FILE);
            int[] convIn = unet.shapes().get("conv_in.weight");
            if (convIn == null || convIn.length != 4) throw new CheckpointException(UNET_FILE + ": weight conv_in.weight is missing");
            if (convIn[1] != cc.ctrlCh()) {
                throw new CheckpointException(UNET_FILE + ": conv_in.weight takes " + convIn[1] + " channels but the codec's decoder ("
                        + CODEC_FILE + " dec.conv_out) gives " + cc.ctrlCh());
            }
            if (!(unetCfg.getOrDefault("in_channels", 4L) instanceof Number inCh)) {
                throw new CheckpointException(unetCfgName + ": in_channels is " + unetCfg.get("in_channels") + ", not a number");
            }
            long latent = inCh.longValue();
            Map<String, Object> unetEngineCfg = new LinkedHashMap<>(unetCfg);
            unetEngineCfg.put("in_channels", (long) cc.ctrlCh()); // OneDC's conv_in: ctrl_ch -> block_out_channels[0]
            Map<String, int[]> unetLayout;
            try {
                unetLayout = new LinkedHashMap<>(Layouts.unet(new Config(unetEngineCfg, unetCfgName)));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(unetCfgName + ": " + e.getMessage());
            }
            unetLayout.putAll(OneDcLayouts.vaeReduction("vae_reduction.", cc.ctrlCh(), (int) latent));
            Layouts.checkShapes(UNET_FILE, unetLayout, unet.shapes());
            unet.weights().forEach((k, p) -> weights.put("unet." + k, p));
            config.put("unet", unetEngineCfg);
            config.put("unet_latent_channels", latent);
            Map<String, Object> lora = new LinkedHashMap<>();
            lora.put("merged", true);
            lora.put("modules", (long) unet.modules());
            lora.put("alpha", o.loraAlpha());
            if (unet.ranks().size() == 1) {
                lora.put("rank", (long) unet.ranks().first());
                lora.put("scale", o.loraAlpha() / unet.ranks().first());
            } else {
                lora.put("ranks", unet.ranks().stream().map(r -> (Object) (long) r).toList());
            }
            config.put("lora", lora);

            // The VAE (encoder and decoder), with OneDC's windowed mid-block attention.
            Conversion v = Diffusers.vae(vae, false);
            open.add(v);
            Map<String, Object> vaeCfg = new LinkedHashMap<>(v.model().config());
            vaeCfg.putIfAbsent("scaling_factor", DEFAULT_SCALING_FACTOR);
            vaeCfg.put("attn_patch", (long) o.attnPatch());
            v.model().weights().forEach((k, p) -> weights.put("vae." + k, p));
            config.put("vae", vaeCfg);
            config.put("vae_has_encoder", v.model().kind().equals("vae"));

            // The one-step schedule.
            config.put("timestep", (long) TIMESTEP);
            config.put("scaling_factor", vaeCfg.get("scaling_factor"));
            config.put("prediction_type", "epsilon");
            config.putAll(schedule(o.schedulerConfig()));
            config.putAll(o.extraConfig());

            // The entropy-model networks stay F32 whatever --dtype says: the scales that pick the CDF tables come
            // from them, and must equal the reference's.
            EngineModel m = new EngineModel("onedc", config, weights, k -> k.startsWith("codec.hyper_dec.")
                    || k.startsWith("codec.y_prior_fusion.") || k.startsWith("codec.y_spatial_prior"));
            String source = "OneDC " + release.getFileName() + "/" + UNET_FILE + " (LoRA alpha " + o.loraAlpha() + " merged) + "
                    + release.getFileName() + "/" + CODEC_FILE + " + " + unetCfgName + " + " + vae.getFileName();
            return new Conversion(m, source, open);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void requireFile(Path p, String what) throws CheckpointException {
        if (!Files.isRegularFile(p)) throw new CheckpointException(p + ": no such file (" + what + ")");
    }

    /** beta_start, beta_end, num_train_timesteps, beta_schedule from the scheduler config (SD 1.5's by default). */
    private static Map<String, Object> schedule(Path schedulerConfig) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Object> c = schedulerConfig == null ? Map.of() : Diffusers.readConfig(schedulerConfig);
        String name = schedulerConfig == null ? "" : schedulerConfig.getFileName().toString();
        Object schedule = c.getOrDefault("beta_schedule", "scaled_linear");
        if (!"scaled_linear".equals(schedule)) throw new CheckpointException(name + ": beta_schedule " + schedule + " (OneDC's SD 1.5 schedule is scaled_linear)");
        if (c.get("trained_betas") != null) throw new CheckpointException(name + ": trained_betas are not supported");
        Object pt = c.getOrDefault("prediction_type", "epsilon");
        if (!"epsilon".equals(pt)) throw new CheckpointException(name + ": prediction_type " + pt + " (OneDC's UNet predicts epsilon)");
        s.put("beta_start", number(c, "beta_start", 0.00085, name));
        s.put("beta_end", number(c, "beta_end", 0.012, name));
        s.put("num_train_timesteps", (long) number(c, "num_train_timesteps", 1000, name));
        s.put("beta_schedule", "scaled_linear");
        if ((long) s.get("num_train_timesteps") <= TIMESTEP) throw new CheckpointException(name + ": num_train_timesteps " + s.get("num_train_timesteps") + " <= the timestep " + TIMESTEP);
        return s;
    }

    private static double number(Map<String, Object> c, String key, double dflt, String file) throws CheckpointException {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n)) throw new CheckpointException(file + ": " + key + " is " + v + ", not a number");
        return n.doubleValue();
    }
}
