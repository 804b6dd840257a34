package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.compression.TestModels;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.image.ImageFormatException;
import dev.sodec.codec.image.Padding;
import dev.sodec.codec.image.Pixels;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API on the golden weights (random, N=16 M=24): exact latents, any-size images, threads, errors. */
class SodecCodecTest {
    @TempDir
    static Path tmp;
    static Path mbt, bmshj;

    @BeforeAll
    static void models() throws Exception {
        mbt = TestModels.write(tmp, "mbt.safetensors", Architecture.MBT2018_MEAN);
        bmshj = TestModels.write(tmp, "bmshj.safetensors", Architecture.BMSHJ2018_HYPERPRIOR);
    }

    /** A smooth colour pattern with some texture, deterministic. */
    static BufferedImage image(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(seed);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            int red = (int) (127 + 100 * Math.sin((x + seed) / 7.0)) + r.nextInt(8);
            int g = (int) (127 + 100 * Math.cos(y / 5.0)) + r.nextInt(8);
            int b = (x * 3 + y * 5 + seed) & 0xFF;
            img.setRGB(x, y, Math.min(red, 255) << 16 | Math.min(g, 255) << 8 | b);
        }
        return img;
    }

    static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    static SodecCodec codec(Path model, int threads) throws Exception {
        return SodecCodec.load(model, CodecOptions.defaults().withThreads(threads));
    }

    @Test
    void oddSizeRoundTripDecodesExactlyTheEncodersLatents() throws Exception {
        BufferedImage img = image(37, 61, 1);
        try (CompressionModel m = CompressionModel.load(mbt); CpuBackend cpu = new CpuBackend(2); Parallel par = new Parallel(2)) {
            Padding pad = Padding.centered(37, 61, 64);
            Tensor x = pad.pad(Pixels.toTensor(img));
            HyperpriorCodec.Encoded e = m.codec().compress(cpu, par, x);
            HyperpriorCodec.Decoded d = m.codec().decompress(cpu, par, e.yString(), e.zString(), 1, 1);
            assertArrayEquals(e.zHat().toFloatArray(), d.zHat().toFloatArray());
            assertArrayEquals(e.yIndexes().toIntArray(), d.yIndexes().toIntArray());
            float[] means = e.means().toFloatArray(), yHat = d.yHat().toFloatArray();
            int[] sym = e.ySymbols().toIntArray();
            for (int i = 0; i < yHat.length; i++) assertEquals(sym[i] + means[i], yHat[i], 0f, "y_hat " + i);
        }
        try (SodecCodec c = codec(mbt, 2)) {
            byte[] data = c.compress(img);
            Container h = Container.parse(data);
            assertEquals(37, h.width());
            assertEquals(61, h.height());
            assertEquals(64, h.paddedWidth());
            BufferedImage back = c.decompress(data);
            assertEquals(37, back.getWidth());
            assertEquals(61, back.getHeight());
            assertArrayEquals(pixels(back), pixels(c.decompress(data)));
        }
    }

    @Test
    void bothArchitecturesRoundTripNonMultipleSizes() throws Exception {
        for (Path model : List.of(mbt, bmshj)) {
            try (SodecCodec c = codec(model, 1)) {
                for (int[] wh : new int[][] {{1, 1}, {65, 3}, {100, 70}}) {
                    BufferedImage back = c.decompress(c.compress(image(wh[0], wh[1], 3)));
                    assertEquals(wh[0], back.getWidth());
                    assertEquals(wh[1], back.getHeight());
                }
            }
        }
    }

    @Test
    void streamsDoNotDependOnThreadCount() throws Exception {
        BufferedImage img = image(130, 70, 5);
        byte[] one;
        int[] decodedOne;
        try (SodecCodec c = codec(mbt, 1)) {
            one = c.compress(img);
            decodedOne = pixels(c.decompress(one));
        }
        for (int t : new int[] {2, 3, 8}) {
            try (SodecCodec c = codec(mbt, t)) {
                assertArrayEquals(one, c.compress(img), "encoded with " + t + " threads");
                assertArrayEquals(decodedOne, pixels(c.decompress(one)), "decoded with " + t + " threads");
            }
        }
    }

    @Test
    void hyperSynthesisBitsDoNotDependOnThreadCount() throws Exception {
        BufferedImage img = image(128, 64, 9);
        try (CompressionModel m = CompressionModel.load(mbt)) {
            Tensor x = Pixels.toTensor(img);
            HyperpriorCodec.Encoded ref;
            try (CpuBackend cpu = new CpuBackend(1); Parallel par = new Parallel(1)) {
                ref = m.codec().compress(cpu, par, x);
            }
            for (int t : new int[] {2, 3, 8}) {
                try (CpuBackend cpu = new CpuBackend(t); Parallel par = new Parallel(t)) {
                    HyperpriorCodec.Decoded d = m.codec().decompress(cpu, par, ref.yString(), ref.zString(), 1, 2);
                    assertArrayEquals(ref.scales().toFloatArray(), d.scales().toFloatArray());
                    assertArrayEquals(ref.means().toFloatArray(), d.means().toFloatArray());
                    assertArrayEquals(ref.yIndexes().toIntArray(), d.yIndexes().toIntArray());
                }
            }
        }
    }

    @Test
    void concurrentCallsGiveTheSequentialResults() throws Exception {
        int n = 8;
        List<BufferedImage> imgs = new ArrayList<>();
        for (int i = 0; i < n; i++) imgs.add(image(40 + 9 * i, 30 + 5 * i, i));
        try (SodecCodec c = codec(mbt, 3)) {
            List<byte[]> seq = new ArrayList<>();
            List<int[]> seqPix = new ArrayList<>();
            for (BufferedImage im : imgs) {
                byte[] d = c.compress(im);
                seq.add(d);
                seqPix.add(pixels(c.decompress(d)));
            }
            ExecutorService ex = Executors.newFixedThreadPool(n);
            try {
                for (int round = 0; round < 2; round++) {
                    List<Future<Object[]>> fs = new ArrayList<>();
                    for (BufferedImage im : imgs) {
                        fs.add(ex.submit(() -> {
                            byte[] d = c.compress(im);
                            return new Object[] {d, pixels(c.decompress(d))};
                        }));
                    }
                    for (int i = 0; i < n; i++) {
                        Object[] r = fs.get(i).get();
                        assertArrayEquals(seq.get(i), (byte[]) r[0], "image " + i);
                        assertArrayEquals(seqPix.get(i), (int[]) r[1], "image " + i);
                    }
                }
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void badStreamsGiveClearErrors() throws Exception {
        byte[] data;
        try (SodecCodec c = codec(mbt, 1)) {
            data = c.compress(image(70, 40, 2));
            byte[] d0 = data;
            assertTrue(assertThrows(ContainerException.class, () -> c.decompress("GIF89a....".getBytes())).getMessage().contains("not a sodec"));
            for (int len = 0; len < d0.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(d0, len);
                assertThrows(ContainerException.class, () -> c.decompress(cut), "truncated to " + len);
            }
            for (int i = 0; i < d0.length; i++) {
                byte[] bad = d0.clone();
                bad[i] ^= 0x10;
                assertThrows(ContainerException.class, () -> c.decompress(bad), "flip at " + i);
            }
        }
        try (SodecCodec other = codec(bmshj, 1)) {
            String msg = assertThrows(ContainerException.class, () -> other.decompress(data)).getMessage();
            assertTrue(msg.contains("model mismatch") && msg.contains("mbt2018-mean"), msg);
        }
        try (SodecCodec small = SodecCodec.load(mbt, CodecOptions.defaults().withMaxPixels(1000))) {
            assertTrue(assertThrows(ContainerException.class, () -> small.decompress(data)).getMessage().contains("limit"));
            assertThrows(ImageFormatException.class, () -> small.compress(image(40, 40, 1)));
        }
    }

    /** Any image kind is coded as its 8-bit RGB: the same stream as that RGB image gives. */
    @Test
    void imagesOfAnyKindAreCodedAsTheirRgb() throws Exception {
        try (SodecCodec c = codec(mbt, 1)) {
            BufferedImage gray = new BufferedImage(20, 12, BufferedImage.TYPE_BYTE_GRAY);
            BufferedImage grayAsRgb = new BufferedImage(20, 12, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 12; y++) for (int x = 0; x < 20; x++) {
                int v = (x * 11 + y * 7) & 0xFF;
                gray.getRaster().setSample(x, y, 0, v);
                grayAsRgb.setRGB(x, y, v * 0x010101);
            }
            assertArrayEquals(c.compress(grayAsRgb), c.compress(gray));

            BufferedImage rgb16 = dev.sodec.codec.image.TestImages.rgb16(20, 12);
            BufferedImage rgb8 = new BufferedImage(20, 12, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 12; y++) for (int x = 0; x < 20; x++) {
                int r = x * 12, g = y * 20, b = (x + y) * 5;
                rgb16.getRaster().setPixel(x, y, new int[] {r * 257, g * 257, b * 257});
                rgb8.setRGB(x, y, r << 16 | g << 8 | b);
            }
            assertArrayEquals(c.compress(rgb8), c.compress(rgb16));

            BufferedImage alpha = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB); // all transparent
            BufferedImage white = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) white.setRGB(x, y, 0xFFFFFF);
            assertArrayEquals(c.compress(white), c.compress(alpha));
            BufferedImage palette = dev.sodec.codec.image.TestImages.paletteWithTransparency(16, 9);
            assertEquals(16, c.decompress(c.compress(palette)).getWidth());
        }
        try (SodecCodec onBlack = SodecCodec.load(mbt, CodecOptions.defaults().withThreads(1).withBackground(0));
             SodecCodec onWhite = codec(mbt, 1)) {
            BufferedImage alpha = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
            assertArrayEquals(onBlack.compress(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)), onBlack.compress(alpha));
            assertNotEquals(java.util.Arrays.toString(onWhite.compress(alpha)), java.util.Arrays.toString(onBlack.compress(alpha)));
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsSaySo() throws Exception {
        SodecCodec c = codec(mbt, 2);
        byte[] data = c.compress(image(16, 16, 1));
        c.close();
        c.close();
        assertTrue(assertThrows(IllegalStateException.class, () -> c.compress(image(16, 16, 1))).getMessage().contains("closed"));
        assertTrue(assertThrows(IllegalStateException.class, () -> c.decompress(data)).getMessage().contains("closed"));
    }

    @Test
    void modelMismatchNamesBothModels() throws Exception {
        byte[] data;
        try (SodecCodec c = codec(mbt, 1)) {
            data = c.compress(image(16, 16, 1));
        }
        try (SodecCodec other = codec(bmshj, 1)) {
            String msg = assertThrows(ContainerException.class, () -> other.decompress(data)).getMessage();
            assertTrue(msg.contains("'bmshj.safetensors'") && msg.contains(other.modelIdHex()), msg);
        }
    }

    @Test
    void differentImagesGiveDifferentStreams() throws Exception {
        try (SodecCodec c = codec(mbt, 1)) {
            assertNotEquals(java.util.Arrays.toString(c.compress(image(64, 64, 1))), java.util.Arrays.toString(c.compress(image(64, 64, 2))));
        }
    }
}
