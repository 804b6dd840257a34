package dev.sodec.codec.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JpegReferenceTest {
    private static BufferedImage photo() throws Exception {
        return ImageFiles.read(Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png"), 1L << 26);
    }

    @Test
    void picksTheLowestQualityAtOrAboveTheTargetRate() throws Exception {
        BufferedImage img = photo();
        long pixels = (long) img.getWidth() * img.getHeight();
        for (double target : new double[] {0.3, 0.8}) {
            JpegReference.Encoded e = JpegReference.atLeastBpp(img, target);
            assertTrue(e.bpp() >= target, e.bpp() + " < " + target);
            if (e.quality() > 1) {
                double below = JpegReference.encode(img, e.quality() - 1).length * 8.0 / pixels;
                assertTrue(below < target, "quality " + (e.quality() - 1) + " already reaches " + below);
            }
            assertEquals(img.getWidth(), e.decoded().getWidth());
            // A real JPEG at these rates is far from the original but recognisably the same picture.
            double psnr = Metrics.psnr(img, e.decoded());
            assertTrue(psnr > 20 && psnr < 45, "psnr " + psnr);
        }
    }

    @Test
    void higherTargetNeverGivesLowerQuality() throws Exception {
        BufferedImage img = photo();
        assertTrue(JpegReference.atLeastBpp(img, 1.0).quality() >= JpegReference.atLeastBpp(img, 0.5).quality());
    }
}
