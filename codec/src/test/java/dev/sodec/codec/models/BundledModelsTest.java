package dev.sodec.codec.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.JpegReference;
import dev.sodec.codec.image.Metrics;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trained models shipped in the jar: present, loadable, and better than JPEG at the rate they were made for. */
class BundledModelsTest {
    @Test
    void defaultIsListedFirstAndEveryModelLoads() throws Exception {
        List<BundledModels.Model> models = BundledModels.list();
        assertEquals("low", models.get(0).name());
        for (BundledModels.Model m : models) {
            Path p = BundledModels.extract(m);
            try (CompressionModel cm = CompressionModel.load(p)) {
                assertEquals(64, cm.config().N());
                assertEquals(96, cm.config().M());
            }
            // Extraction is idempotent and found again by id, as decompress does.
            assertEquals(p, BundledModels.extract(m));
            assertEquals(p, BundledModels.byId(CompressionModel.idOf(p)).orElseThrow());
        }
    }

    /**
     * The default model on a photo it was not trained on (shared/images is test-only): at a JPEG rate at least as
     * high, it must be better in both PSNR and MS-SSIM. This is the claim the README makes.
     */
    @Test
    void defaultModelBeatsJpegAtMatchedRate() throws Exception {
        BufferedImage img = ImageFiles.read(Path.of(System.getProperty("sodec.shared")).resolve("images/coffee_768x512.png"), 1 << 22);
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults())) {
            byte[] data = codec.compress(img);
            BufferedImage back = codec.decompress(data);
            double bpp = data.length * 8.0 / (768 * 512);
            assertTrue(bpp > 0.05 && bpp < 0.4, "bpp " + bpp);
            JpegReference.Encoded jpeg = JpegReference.atLeastBpp(img, bpp);
            double psnr = Metrics.psnr(img, back), jpsnr = Metrics.psnr(img, jpeg.decoded());
            double ms = Metrics.msSsim(img, back), jms = Metrics.msSsim(img, jpeg.decoded());
            assertTrue(psnr > jpsnr, "PSNR " + psnr + " vs JPEG " + jpsnr + " at " + jpeg.bpp() + " bpp");
            assertTrue(ms > jms, "MS-SSIM " + ms + " vs JPEG " + jms);
            // Decoding the same stream again gives the same image (no state carried between calls).
            assertArrayEquals(back.getRGB(0, 0, 768, 512, null, 0, 768), codec.decompress(data).getRGB(0, 0, 768, 512, null, 0, 768));
        }
    }
}
