package dev.sodec.codec.onedc;

import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.onedc.OneDcRelease;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The shared tiny OneDC release (../shared/checkpoints/onedc, made by the reference with random weights) converted to
 * an engine model file exactly as {@code sodec convert --onedc} does, and the files of that case.
 */
public final class OneDcTestModels {
    private OneDcTestModels() {}

    public static Path releaseCase() {
        return Path.of(System.getProperty("sodec.shared")).resolve("checkpoints/onedc/checkpoint.onedc.release.tiny_100x130");
    }

    /** Converts the release to {@code dir/name}; {@code zOnly} marks it as the z-only variant. */
    public static Path convert(Path dir, String name, boolean zOnly) throws IOException {
        Path c = releaseCase(), out = dir.resolve(name);
        OneDcRelease.Options d = OneDcRelease.Options.defaults();
        OneDcRelease.Options o = new OneDcRelease.Options(d.loraAlpha(), d.attnPatch(), d.fsqLevels(), zOnly,
                c.resolve("sd15_scheduler/scheduler_config.json"), Map.of());
        try (Conversion conv = OneDcRelease.open(c.resolve("release"), c.resolve("sd15_unet/config.json"), c.resolve("sd21_vae"), o)) {
            EngineWriter.write(conv.model(), out, DType.F32, conv.source());
        }
        return out;
    }

    /** A tensor of the release case's io.safetensors (e.g. "in.file", "out.image"), copied out of the file. */
    public static Tensor io(String name) throws IOException {
        try (SafeTensors st = SafeTensors.open(releaseCase().resolve("io.safetensors"))) {
            Tensor t = st.get(name);
            Tensor copy = Tensor.zeros(java.lang.foreign.Arena.ofAuto(), t.dtype(), t.shape());
            t.copyInto(copy);
            return copy;
        }
    }

    /** The top-left w x h of a shared test photo. */
    public static BufferedImage photo(int w, int h) throws IOException {
        BufferedImage img = ImageIO.read(Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png").toFile());
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(img, 0, 0, null);
        return out;
    }
}
