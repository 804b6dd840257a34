package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.assertOneLineError;
import static dev.sodec.codec.cli.CompressionCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.onedc.OneDcTestModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compress / decompress / info / eval with a OneDC model file through Main.run, and OneDC's own .bin files. */
class OneDcCliTest {
    @TempDir
    static Path tmp;
    static Path model, png, bin;

    @BeforeAll
    static void setUp() throws Exception {
        Path c = OneDcTestModels.releaseCase();
        model = tmp.resolve("onedc.safetensors");
        CompressionCliTest.Result conv = run("convert", "--onedc", c.resolve("release").toString(), "--unet-config",
                c.resolve("sd15_unet").toString(), "--vae", c.resolve("sd21_vae").toString(), "-o", model.toString());
        assertEquals(0, conv.code(), conv.err());
        png = tmp.resolve("in.png");
        ImageIO.write(OneDcTestModels.photo(90, 70), "png", png.toFile());
        bin = tmp.resolve("ref.bin");
        Files.write(bin, OneDcTestModels.io("in.file").toByteArray());
    }

    @Test
    void compressInfoDecompressEval() throws Exception {
        Path sdc = tmp.resolve("a.sdc"), out = tmp.resolve("a.png");
        CompressionCliTest.Result r = run("compress", png.toString(), "-o", sdc.toString(), "--model", model.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        r = run("info", sdc.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("architecture: onedc") && r.out().contains("image size:   90x70"), r.out());
        r = run("decompress", sdc.toString(), "-o", out.toString(), "--model", model.toString(), "--stats");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("generative decoder") && r.out().contains("peak RSS"), r.out());
        BufferedImage back = ImageIO.read(out.toFile());
        assertEquals(90, back.getWidth());
        assertEquals(70, back.getHeight());
        r = run("eval", "--model", model.toString(), png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("average (1 images)"), r.out());
    }

    @Test
    void oneDcBinFilesDecodeWithAModelAndNeedOne() throws Exception {
        CompressionCliTest.Result r = run("info", bin.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("OneDC .bin layout") && r.out().contains("130x100"), r.out());
        Path out = tmp.resolve("ref.png");
        r = run("decompress", bin.toString(), "-o", out.toString(), "--model", model.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(130, ImageIO.read(out.toFile()).getWidth());
        assertOneLineError(run("decompress", bin.toString(), "-o", tmp.resolve("x.png").toString()), "names no model");
        Path junk = tmp.resolve("junk.bin");
        Files.write(junk, new byte[] {0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0});
        assertOneLineError(run("decompress", junk.toString(), "-o", tmp.resolve("y.png").toString(), "--model", model.toString()), "truncated");
        assertOneLineError(run("decompress", png.toString(), "-o", tmp.resolve("z.png").toString(), "--model", model.toString()), "");
    }
}
