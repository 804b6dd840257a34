package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.container.Container;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sodec decompress} with a full SODEC model file: the generative image by default, g_s with --fidelity, each
 * checked pixel by pixel against the pipeline.sodec golden outputs (x_hat, x_f) from the golden bitstreams.
 */
class SodecCliTest {
    static final Path CASE = Path.of(System.getProperty("sodec.shared")).resolve("golden/pipeline.sodec");

    @Test
    void decompressUsesTheGenerativeDecoderAndFidelityTheSynthesis(@TempDir Path tmp) throws Exception {
        try (GoldenCase c = GoldenCase.open(CASE)) {
            Path model = tmp.resolve("sodec.safetensors");
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("config", c.config().toString());
            meta.put("format_version", "1");
            SafeTensorsWriter.write(model, c.weights(), meta);

            int[] x = c.input("x").shape();
            int h = x[2], w = x[3];
            Container box = new Container(Architecture.MBT2018_MEAN.code, CompressionModel.idOf(model), w, h, 0, 0, 0, 0,
                    List.of(c.expected("y_string").toByteArray(), c.expected("z_string").toByteArray()));
            Path sdc = tmp.resolve("golden.sdc");
            Files.write(sdc, box.encode());

            Path gen = tmp.resolve("gen.png"), fid = tmp.resolve("fid.png");
            CompressionCliTest.Result r = run("decompress", sdc.toString(), "-o", gen.toString(), "--model", model.toString(), "--stats");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("generative"), r.out());
            assertTrue(r.out().contains("peak RSS"), r.out());
            r = run("decompress", sdc.toString(), "-o", fid.toString(), "--model", model.toString(), "--fidelity");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("fidelity"), r.out());

            assertMatches8Bit(ImageIO.read(gen.toFile()), c.expected("x_hat"));
            assertMatches8Bit(ImageIO.read(fid.toFile()), c.expected("x_f"));
        }
    }

    @Test
    void compressAndDecompressAnImageWithAFullModel(@TempDir Path tmp) throws Exception {
        try (GoldenCase c = GoldenCase.open(CASE)) {
            Path model = tmp.resolve("sodec.safetensors");
            SafeTensorsWriter.write(model, c.weights(), Map.of("config", c.config().toString(), "format_version", "1"));
            BufferedImage img = new BufferedImage(70, 33, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 33; y++) for (int xx = 0; xx < 70; xx++) img.setRGB(xx, y, (xx * 3) << 16 | (y * 7) << 8 | 40);
            Path png = tmp.resolve("in.png"), sdc = tmp.resolve("in.sdc"), out = tmp.resolve("out.png");
            ImageIO.write(img, "png", png.toFile());
            assertEquals(0, run("compress", png.toString(), "-o", sdc.toString(), "--model", model.toString()).code());
            CompressionCliTest.Result r = run("decompress", sdc.toString(), "-o", out.toString(), "--model", model.toString());
            assertEquals(0, r.code(), r.err());
            BufferedImage back = ImageIO.read(out.toFile());
            assertEquals(70, back.getWidth());
            assertEquals(33, back.getHeight());
        }
    }

    /** Each 8-bit channel within one level of the golden float image (rounding of values near a half level). */
    static void assertMatches8Bit(BufferedImage img, Tensor expected) {
        int h = expected.dim(2), w = expected.dim(3), plane = h * w;
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        float[] e = expected.toFloatArray();
        int exact = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int[] got = {rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255};
                for (int ch = 0; ch < 3; ch++) {
                    double want = e[ch * plane + y * w + x] * 255.0;
                    assertTrue(Math.abs(got[ch] - want) <= 0.5 + 0.01, "pixel " + x + "," + y + " ch " + ch + ": " + got[ch] + " vs " + want);
                    if (got[ch] == Math.round(want)) exact++;
                }
            }
        }
        assertTrue(exact > 3 * plane * 0.99, "only " + exact + " of " + 3 * plane + " channels round like the reference");
    }
}
