package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sodec.codec.models.BundledModels;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Batched g_s: several decodes of one latent shape run as one network call with N > 1 through the graph, and each
 * image equals, pixel for pixel, the same stream decoded alone (batch of one), on the CPU and on the CUDA
 * backend's code path (emulated).
 */
class BatchedDecodeTest {
    static BufferedImage photo() throws Exception {
        try (InputStream in = BatchedDecodeTest.class.getResourceAsStream("/dev/sodec/demo/chelsea.png")) {
            return ImageIO.read(in);
        }
    }

    @Test
    void batchOfDifferentImagesEqualsEachDecodedAlone() throws Exception {
        assertBatchEqualsAlone("cpu", 130, 70);
    }

    @Test
    void batchOnTheCudaCodePathEqualsEachDecodedAlone() throws Exception {
        assertBatchEqualsAlone("cuda-emulated", 60, 40); // small: the emulator is slow
    }

    private static void assertBatchEqualsAlone(String backend, int w, int h) throws Exception {
        BufferedImage photo = photo();
        CodecOptions opt = CodecOptions.defaults().withBackend(backend).withThreads(2);
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), opt)) {
            // three different crops of one size (one padded size), so one batch key
            List<byte[]> streams = new ArrayList<>();
            for (int[] at : new int[][] {{0, 0}, {150, 90}, {300, 200}}) {
                streams.add(codec.compress(photo.getSubimage(at[0], at[1], w, h)));
            }
            List<PreparedDecode> batch = new ArrayList<>();
            for (byte[] s : streams) batch.add(codec.prepareDecompress(s, false));
            assertEquals(batch.get(0).batchKey(), batch.get(2).batchKey());
            List<BufferedImage> together = codec.decompressBatch(batch);
            assertEquals(3, together.size());
            for (int i = 0; i < 3; i++) {
                BufferedImage alone = codec.decompress(streams.get(i));
                assertEquals(w, together.get(i).getWidth());
                assertEquals(h, together.get(i).getHeight());
                assertArrayEquals(pixels(alone), pixels(together.get(i)), "image " + i + " of the batch on " + backend);
            }
            // and the crops really differ: a batch that mixed them up would fail above
            assertNotEquals(java.util.Arrays.hashCode(pixels(together.get(0))), java.util.Arrays.hashCode(pixels(together.get(1))));
        }
    }

    @Test
    void differentShapesDoNotShareABatch() throws Exception {
        BufferedImage photo = photo();
        try (SodecCodec codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults().withThreads(2))) {
            PreparedDecode small = codec.prepareDecompress(codec.compress(photo.getSubimage(0, 0, 64, 64)), false);
            PreparedDecode wide = codec.prepareDecompress(codec.compress(photo.getSubimage(0, 0, 128, 64)), false);
            assertNotEquals(small.batchKey(), wide.batchKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decompressBatch(List.of(small, wide)));
            assertEquals("a batch must hold decodes of one codec and one latent shape", e.getMessage());
            try (SodecCodec other = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults().withThreads(2))) {
                assertThrows(IllegalArgumentException.class, () -> other.decompressBatch(List.of(small)));
            }
        }
    }

    static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
