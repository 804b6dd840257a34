package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.codec.image.Exif;
import dev.sodec.codec.image.ImageMetadata;
import dev.sodec.codec.image.TestImages;
import dev.sodec.codec.models.BundledModels;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** {@link SodecCodec#compress(BufferedImage, ImageMetadata)} and {@link SodecCodec#metadata(byte[])}. */
class MetadataApiTest {
    @Test
    void metadataRidesBesideTheStreamsAndChangesNothingElse() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] exif = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        BufferedImage img = TestImages.pattern(70, 50);
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults().withThreads(1))) {
            byte[] plain = codec.compress(img);
            assertArrayEquals(plain, codec.compress(img, ImageMetadata.NONE));
            assertEquals(ImageMetadata.NONE, SodecCodec.metadata(plain));
            byte[] tagged = codec.compress(img, new ImageMetadata(icc, exif));
            assertEquals(new ImageMetadata(icc, Exif.upright(exif)), SodecCodec.metadata(tagged));
            // the same streams and pixels: only the chunks differ
            assertEquals(SodecCodec.info(plain).streams().get(0).length, SodecCodec.info(tagged).streams().get(0).length);
            BufferedImage a = codec.decompress(plain), b = codec.decompress(tagged);
            for (int y = 0; y < 50; y++) for (int x = 0; x < 70; x++) assertEquals(a.getRGB(x, y), b.getRGB(x, y));
        }
    }

    @Test
    void aVersion1FileFromAnEarlierBuildStillDecodes() throws Exception {
        byte[] old;
        try (var in = MetadataApiTest.class.getResourceAsStream("/dev/sodec/fuzz/ContainerFuzzTestInputs/container/coffee_33x17.sdc")) {
            old = in.readAllBytes(); // committed before containers had chunks
        }
        assertEquals(1, old[4]);
        assertEquals(ImageMetadata.NONE, SodecCodec.metadata(old));
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults().withThreads(1))) {
            BufferedImage img = codec.decompress(old);
            assertEquals(33, img.getWidth());
            assertEquals(17, img.getHeight());
        }
    }
}
