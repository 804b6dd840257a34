package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Tiling;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.Metrics;
import dev.sodec.codec.image.Padding;
import dev.sodec.codec.image.Pixels;
import dev.sodec.codec.models.BundledModels;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tiled coding (g_a and g_s window by window, {@link Tiling}) against whole-image coding on a real photo with the
 * shipped model: the same quality, no seams (the error along tile borders is no larger than inside tiles), any size,
 * and a file decodes the same with any tile size.
 */
class TiledCodingTest {
    /** Small tiles so that a 512x512 photo is 4x4 tiles. */
    private static final int TILE = 128;
    private static SodecCodec whole, tiled;
    private static BufferedImage photo;

    @BeforeAll
    static void load() throws Exception {
        Path model = BundledModels.defaultModel().orElseThrow();
        whole = SodecCodec.load(model, CodecOptions.defaults().withThreads(2).withTile(0));
        tiled = SodecCodec.load(model, CodecOptions.defaults().withThreads(2).withTile(TILE));
        photo = ImageFiles.read(Path.of(System.getProperty("sodec.shared")).resolve("images/astronaut.png"), 1 << 22);
    }

    @AfterAll
    static void close() {
        whole.close();
        tiled.close();
    }

    @Test
    void tiledCodingMatchesWholeImageCodingWithin0point1Db() {
        byte[] w = whole.compress(photo), t = tiled.compress(photo);
        double pw = Metrics.psnr(photo, whole.decompress(w)), pt = Metrics.psnr(photo, tiled.decompress(t));
        assertTrue(Math.abs(pw - pt) < 0.1, "whole " + pw + " dB, tiled " + pt + " dB");
        // tiling changes no stream, only how the transforms are scheduled: the kept values are the whole-image
        // ones (the context covers the receptive fields) and the CPU kernels sum each value in a fixed order
        assertArrayEquals(w, t, "tiled and whole-image files differ");
    }

    @Test
    void aFileDecodesToTheSamePixelsWithAnyTileSize() {
        byte[] data = whole.compress(photo);
        BufferedImage a = whole.decompress(data), b = tiled.decompress(data);
        int worst = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) worst = Math.max(worst, Math.abs((p >> s & 255) - (q >> s & 255)));
            }
        }
        assertTrue(worst <= 1, "tiled and whole decodes differ by up to " + worst + " levels");
    }

    @Test
    void theErrorAlongTileBordersIsNoWorseThanInsideTiles() {
        BufferedImage back = tiled.decompress(tiled.compress(photo));
        BufferedImage ref = whole.decompress(whole.compress(photo));
        Padding pad = Padding.centered(photo.getWidth(), photo.getHeight(), 64);
        double[] tiledBands = bandMse(photo, back, pad), wholeBands = bandMse(photo, ref, pad);
        // the photo's own detail differs between the bands; whole-image coding has no borders, so it is the yardstick
        assertTrue(tiledBands[0] <= wholeBands[0] * 1.02 + 1e-7,
                "MSE within 8 px of tile borders " + tiledBands[0] + ", same pixels coded whole " + wholeBands[0]);
        assertTrue(tiledBands[0] / tiledBands[1] <= wholeBands[0] / wholeBands[1] * 1.02,
                "border/interior MSE ratio tiled " + tiledBands[0] / tiledBands[1] + ", whole " + wholeBands[0] / wholeBands[1]);
        assertTrue(tiledBands[1] <= wholeBands[1] * 1.02 + 1e-7, "interior MSE " + tiledBands[1] + " vs " + wholeBands[1]);
    }

    /** MSE against the original within 8 pixels of an inner tile border, and elsewhere. */
    private static double[] bandMse(BufferedImage orig, BufferedImage dec, Padding pad) {
        double[][] a = Pixels.planes(orig), b = Pixels.planes(dec);
        int w = orig.getWidth(), h = orig.getHeight();
        double[] sum = new double[2];
        long[] n = new long[2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int band = nearBorder(y + pad.top()) || nearBorder(x + pad.left()) ? 0 : 1;
                for (int c = 0; c < 3; c++) {
                    double d = a[c][y * w + x] - b[c][y * w + x];
                    sum[band] += d * d;
                }
                n[band] += 3;
            }
        }
        return new double[] {sum[0] / n[0], sum[1] / n[1]};
    }

    private static boolean nearBorder(int coded) {
        int m = Math.floorMod(coded, TILE);
        return coded >= TILE / 2 && (m < 8 || m >= TILE - 8);
    }

    @Test
    void oddSizesRoundTripInTiles() {
        for (int[] size : new int[][] {{333, 197}, {257, 449}, {65, 511}}) {
            BufferedImage crop = photo.getSubimage(0, 0, size[0], size[1]);
            byte[] data = tiled.compress(crop);
            Container c = Container.parse(data);
            assertEquals(size[0], c.width());
            BufferedImage t = tiled.decompress(data), w = whole.decompress(data);
            assertEquals(size[0], t.getWidth());
            assertEquals(size[1], t.getHeight());
            double pt = Metrics.psnr(crop, t), pw = Metrics.psnr(crop, w);
            assertTrue(Math.abs(pt - pw) < 0.1, size[0] + "x" + size[1] + ": tiled " + pt + " dB, whole " + pw + " dB");
            assertTrue(pt > 20, size[0] + "x" + size[1] + ": " + pt + " dB");
        }
    }

    @Test
    void corruptStreamsOfATiledImageAreRefusedWithOneLine() {
        byte[] data = tiled.compress(photo);
        Container c = Container.parse(data);
        List<String> messages = new ArrayList<>();
        for (int stream = 0; stream < 2; stream++) {
            for (int at : new int[] {0, 7, c.streams().get(stream).length / 2}) {
                List<byte[]> streams = new ArrayList<>(c.streams());
                byte[] s = streams.get(stream).clone();
                s[at] ^= (byte) 0xA5;
                streams.set(stream, s);
                byte[] bad = new Container(c.architectureCode(), c.modelId(), c.width(), c.height(), c.padLeft(), c.padTop(),
                        c.padRight(), c.padBottom(), streams).encode(); // a valid CRC: the entropy decoder must notice
                try {
                    BufferedImage img = tiled.decompress(bad);
                    // a flipped byte may still decode to valid symbols; then it must be an image of the right size
                    assertEquals(photo.getWidth(), img.getWidth());
                } catch (ContainerException e) {
                    messages.add(e.getMessage());
                }
            }
        }
        assertFalse(messages.isEmpty(), "no corruption was noticed");
        for (String m : messages) {
            assertFalse(m.contains("\n"), m);
            assertTrue(m.startsWith("corrupt"), m);
        }
        byte[] cut = java.util.Arrays.copyOf(data, data.length - 9);
        assertTrue(assertThrows(ContainerException.class, () -> tiled.decompress(cut)).getMessage().contains("truncated"));
    }

    @Test
    void tileSizeMustBeAMultipleOf64() {
        assertThrows(IllegalArgumentException.class, () -> CodecOptions.defaults().withTile(100));
    }
}
