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

    @Test
    void shippedModelsAreNamedByTheirIds() throws Exception {
        for (BundledModels.Model m : BundledModels.list()) {
            byte[] id = CompressionModel.idOf(BundledModels.extract(m));
            assertEquals(m.name(), BundledModels.nameOf(id).orElseThrow());
            assertTrue(ModelFinder.describe(id).startsWith("'" + m.name() + "' (shipped, id "), ModelFinder.describe(id));
        }
        assertTrue(BundledModels.nameOf(new byte[8]).isEmpty());
        assertEquals("id 0000000000000000", ModelFinder.describe(new byte[8]));
        assertEquals(List.of("lowest", "low", "medium", "high", "higher", "highest"), BundledModels.ladder().stream().map(BundledModels.Model::name).toList());
    }

    /**
     * A 17x9 image is coded inside a 64x64 block. With zero padding that block was mostly a black frame: 6.2 bpp and
     * 15.4 dB on this crop (measured before the change); padding by repeating the edge pixels codes it for a fraction
     * of that and faithfully.
     */
    @Test
    void smallImagesAreNotFramedInBlack() throws Exception {
        BufferedImage photo = ImageFiles.read(Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png"), 1 << 22);
        BufferedImage img = new BufferedImage(17, 9, BufferedImage.TYPE_INT_RGB);
        img.getGraphics().drawImage(photo.getSubimage(0, 0, 17, 9), 0, 0, null);
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults())) {
            byte[] data = codec.compress(img);
            double bpp = data.length * 8.0 / (17 * 9), psnr = Metrics.psnr(img, codec.decompress(data));
            assertTrue(bpp < 4.5, "bpp " + bpp);
            assertTrue(psnr > 30, "psnr " + psnr);
        }
    }

    @Test
    void anUnwritableCacheIsNamedWithTheSettingThatMovesIt() {
        String m = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> BundledModels.extractTo(BundledModels.list().get(0), Path.of("/proc/sodec-cache/models"))).getMessage();
        assertTrue(m.contains("model cache /proc/sodec-cache/models") && m.contains("SODEC_CACHE"), m);
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
