package dev.sodec.codec.cli;

import dev.sodec.codec.sodec.NoiseSchedule;
import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.onedc.OneDcRelease;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --onedc} options of {@code sodec convert}: a OneDC release folder plus the SD 1.5 UNet config and the
 * SD 2.1 VAE folder to one engine model ({@link OneDcRelease}). Folder arguments may also be the Hub repositories'
 * roots (a diffusers pipeline folder with model_index.json): the component is then found inside.
 */
final class OneDcArgs {
    static final Set<String> VALUED = Set.of("--onedc", "--unet-config", "--vae", "--scheduler-config", "--lora-alpha",
            "--attn-patch", "--fsq-levels");

    Path release;
    Path unetConfig;
    Path vae;
    Path schedulerConfig;
    Double loraAlpha;
    Integer attnPatch;
    int[] fsqLevels;
    boolean zOnly;

    void set(String option, String v) throws UsageException {
        switch (option) {
            case "--onedc" -> release = Path.of(v);
            case "--unet-config" -> unetConfig = Path.of(v);
            case "--vae" -> vae = Path.of(v);
            case "--scheduler-config" -> schedulerConfig = Path.of(v);
            case "--lora-alpha" -> loraAlpha = number(option, v);
            case "--attn-patch" -> attnPatch = (int) integer(option, v);
            case "--fsq-levels" -> {
                String[] p = v.split(",");
                fsqLevels = new int[p.length];
                for (int i = 0; i < p.length; i++) fsqLevels[i] = (int) integer(option, p[i].trim());
            }
            default -> throw new AssertionError(option);
        }
    }

    /** Whether any OneDC-only option was given. */
    boolean any() {
        return release != null || unetConfig != null || vae != null || schedulerConfig != null || loraAlpha != null
                || attnPatch != null || fsqLevels != null || zOnly;
    }

    void convert(Path out, DType dtype) throws IOException, UsageException {
        if (unetConfig == null) throw new UsageException("--onedc needs --unet-config (the SD 1.5 UNet config.json: stable-diffusion-v1-5 unet/config.json)");
        if (vae == null) throw new UsageException("--onedc needs --vae (the SD 2.1 VAE folder: stabilityai/stable-diffusion-2-1 vae/)");
        OneDcRelease.Options d = OneDcRelease.Options.defaults();
        OneDcRelease.Options o = new OneDcRelease.Options(loraAlpha == null ? d.loraAlpha() : loraAlpha,
                attnPatch == null ? d.attnPatch() : attnPatch, fsqLevels == null ? d.fsqLevels() : fsqLevels, zOnly,
                schedulerConfig == null ? null : component(schedulerConfig, "scheduler", "scheduler_config.json"), Map.of());
        try (Conversion c = OneDcRelease.open(release, component(unetConfig, "unet", "config.json"), componentDir(vae, "vae"), o)) {
            Map<String, Object> cfg = c.model().config();
            // alpha_bar at the timestep, float32 exactly as the decoder will compute it, for reference in the file
            NoiseSchedule ns = new NoiseSchedule(((Number) cfg.get("beta_start")).doubleValue(), ((Number) cfg.get("beta_end")).doubleValue(),
                    ((Number) cfg.get("num_train_timesteps")).intValue(), ((Number) cfg.get("timestep")).intValue(), NoiseSchedule.Prediction.EPSILON);
            cfg.put("alpha_bar", (double) ns.alphaBar);
            EngineWriter.write(c.model(), out, dtype, c.source());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage());
        }
    }

    /** A config file given as the file, its component folder, or a diffusers pipeline folder. */
    private static Path component(Path p, String sub, String file) {
        if (!Files.isDirectory(p)) return p;
        if (Files.isRegularFile(p.resolve("model_index.json")) || Files.isDirectory(p.resolve(sub))) return p.resolve(sub).resolve(file);
        return p.resolve(file);
    }

    private static Path componentDir(Path p, String sub) {
        return Files.isRegularFile(p.resolve("model_index.json")) ? p.resolve(sub) : p;
    }

    private static double number(String option, String v) throws UsageException {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " expects a number, got '" + v + "'");
        }
    }

    private static long integer(String option, String v) throws UsageException {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " expects an integer, got '" + v + "'");
        }
    }
}
