package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.Metrics;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.QualityLadder;
import dev.sodec.codec.models.UserModels;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped quality levels on a real photo: ordered by rate (and by quality), and a budget picks the highest level
 * whose file fits, checked against every level's own file size.
 */
class QualityCodecTest {
    static QualityCodec codec;
    /** The budget tests' photo (the smaller one: each search encodes it two or three times). */
    static BufferedImage photo;
    /** Each level's file for {@link #photo}, index 0 = level 1. */
    static byte[][] files;

    @BeforeAll
    static void encodeEveryLevel() throws Exception {
        photo = ImageFiles.read(Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png"), 1L << 26);
        QualityLadder shipped = QualityLadder.of(BundledModels.ladder(), UserModels.none(Path.of("unused")));
        codec = QualityCodec.open(shipped, CodecOptions.defaults());
        files = new byte[shipped.size()][];
        for (int n = 1; n <= shipped.size(); n++) files[n - 1] = codec.compress(photo, RateTarget.level(n)).data();
    }

    @AfterAll
    static void close() {
        codec.close();
    }

    /** On a photo other than the reference one the levels were ordered on. */
    @Test
    void levelsGrowInRateAndQualityOnAPhoto() throws Exception {
        BufferedImage coffee = ImageFiles.read(Path.of(System.getProperty("sodec.shared")).resolve("images/coffee.png"), 1L << 26);
        assertTrue(files.length >= 4, "the ladder has " + files.length + " levels");
        double previousPsnr = 0;
        byte[] previous = null;
        for (int n = 1; n <= files.length; n++) {
            byte[] data = codec.compress(coffee, RateTarget.level(n)).data();
            if (previous != null) assertTrue(data.length > previous.length, "level " + n + " is not larger than level " + (n - 1));
            previous = data;
            double psnr = Metrics.psnr(coffee, codec.decompress(data));
            assertTrue(psnr > previousPsnr, "level " + n + " PSNR " + psnr + " <= " + previousPsnr);
            previousPsnr = psnr;
        }
    }

    @Test
    void aByteBudgetPicksTheHighestLevelThatFits() throws Exception {
        for (int i = 0; i < files.length; i++) {
            QualityCodec.Compressed exact = codec.compress(photo, RateTarget.maxBytes(files[i].length));
            assertEquals(i + 1, exact.level().number());
            assertArrayEquals(files[i], exact.data());
            if (i > 0) {
                QualityCodec.Compressed under = codec.compress(photo, RateTarget.maxBytes(files[i].length - 1));
                assertEquals(i, under.level().number(), "one byte under level " + (i + 1));
            }
        }
        assertEquals(files.length, codec.compress(photo, RateTarget.maxBytes(Long.MAX_VALUE)).level().number());
    }

    @Test
    void aBppBudgetCountsTheInputsPixels() throws Exception {
        long pixels = (long) photo.getWidth() * photo.getHeight();
        int top = files.length - 1;
        double bpp = files[top].length * 8.0 / pixels;
        assertEquals(top + 1, codec.compress(photo, RateTarget.maxBitsPerPixel(bpp)).level().number());
        assertEquals(top, codec.compress(photo, RateTarget.maxBitsPerPixel(bpp - 8.0 / pixels)).level().number());
    }

    @Test
    void aBudgetUnderLevelOneFailsSayingWhatLevelOneNeeds() {
        RateTargetException e = assertThrows(RateTargetException.class,
                () -> codec.compress(photo, RateTarget.maxBytes(files[0].length - 1)));
        assertTrue(e.getMessage().contains("needs " + files[0].length + " bytes") && e.getMessage().contains("level 1 (" + codec.ladder().level(1).name() + ")"),
                e.getMessage());
        e = assertThrows(RateTargetException.class, () -> codec.compress(photo, RateTarget.maxBitsPerPixel(0.01)));
        assertTrue(e.getMessage().contains("0.01 bpp") && e.getMessage().contains("451x300"), e.getMessage());
    }

    @Test
    void badTargetsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.compress(photo, RateTarget.level(files.length + 1)));
        assertTrue(e.getMessage().contains("no quality level " + (files.length + 1)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RateTarget.level(0));
        assertThrows(IllegalArgumentException.class, () -> RateTarget.maxBytes(0));
        assertThrows(IllegalArgumentException.class, () -> RateTarget.maxBitsPerPixel(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> RateTarget.maxBitsPerPixel(-1));
    }
}
