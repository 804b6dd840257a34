package dev.sodec.codec.imageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.compression.TestModels;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.image.Metrics;
import dev.sodec.codec.models.BundledModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ImageIO plugin as an application sees it (registered through META-INF/services on the class path): write and
 * read with the shipped models, choose the model by param, read the size without decoding.
 */
class SdcImageIoTest {
    @TempDir
    Path tmp;

    static BufferedImage photoLike(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            int v = (int) (120 + 80 * Math.sin(x / 9.0) * Math.cos(y / 6.0));
            img.setRGB(x, y, v << 16 | (v / 2 + x) % 256 << 8 | (200 - v / 3));
        }
        return img;
    }

    static byte[] modelIdOf(byte[] sdc) {
        return Container.parse(sdc).modelId();
    }

    @Test
    void registeredUnderItsNameSuffixAndMimeType() {
        assertTrue(ImageIO.getImageReadersByFormatName("sdc").hasNext());
        assertTrue(ImageIO.getImageWritersByFormatName("sdc").hasNext());
        assertTrue(ImageIO.getImageReadersBySuffix("sdc").hasNext());
        assertTrue(ImageIO.getImageWritersByMIMEType("image/x-sodec").hasNext());
        assertTrue(Arrays.asList(ImageIO.getReaderFormatNames()).contains("sdc"));
    }

    @Test
    void writeAndReadAFileWithTheDefaultModel() throws Exception {
        BufferedImage img = photoLike(70, 45);
        File f = tmp.resolve("x.sdc").toFile();
        assertTrue(ImageIO.write(img, "sdc", f));
        byte[] data = Files.readAllBytes(f.toPath());
        assertArrayEquals(CompressionModel.idOf(BundledModels.byName("low").orElseThrow()), modelIdOf(data));
        BufferedImage back = ImageIO.read(f);
        assertEquals(70, back.getWidth());
        assertEquals(45, back.getHeight());
        assertTrue(Metrics.psnr(img, back) > 20, "psnr " + Metrics.psnr(img, back));
        // the size without decoding
        try (ImageInputStream in = ImageIO.createImageInputStream(f)) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            assertEquals(70, r.getWidth(0));
            assertEquals(45, r.getHeight(0));
            assertNull(r.getImageMetadata(0));
            r.dispose();
        }
        // not ours: other readers are asked, ours declines
        Path png = tmp.resolve("y.png");
        ImageIO.write(img, "png", png.toFile());
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            assertFalse(new SdcImageReaderSpi().canDecodeInput(in));
        }
    }

    @Test
    void theParamChoosesTheModel() throws Exception {
        BufferedImage img = photoLike(40, 30);
        byte[] medium = CompressionModel.idOf(BundledModels.byName("medium").orElseThrow());
        ImageWriter w = ImageIO.getImageWritersByFormatName("sdc").next();
        ImageWriteParam p = w.getDefaultWriteParam();
        assertTrue(p.canWriteCompressed());
        // the compression types are the quality levels, lowest rate first; quality 0..1 spreads evenly over them
        String[] levels = BundledModels.ladder().stream().map(BundledModels.Model::name).toArray(String[]::new);
        assertArrayEquals(levels, p.getCompressionTypes());
        assertTrue(levels.length >= 4 && List.of(levels).contains("low") && List.of(levels).contains("medium"), String.join(",", levels));
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(1.0f);
        byte[] top = CompressionModel.idOf(BundledModels.byName(levels[levels.length - 1]).orElseThrow());
        assertArrayEquals(top, modelIdOf(write(w, img, p)));
        p.setCompressionQuality(1.0f / (levels.length - 1));
        assertArrayEquals(CompressionModel.idOf(BundledModels.byName(levels[1]).orElseThrow()), modelIdOf(write(w, img, p)));
        p.setCompressionQuality(0.0f);
        assertArrayEquals(CompressionModel.idOf(BundledModels.byName(levels[0]).orElseThrow()), modelIdOf(write(w, img, p)));
        p.setCompressionType("medium");
        assertArrayEquals(medium, modelIdOf(write(w, img, p)));
        SdcImageWriteParam sp = (SdcImageWriteParam) w.getDefaultWriteParam();
        Path model = TestModels.write(tmp, "mbt.safetensors", Architecture.MBT2018_MEAN);
        sp.setModel(model.toString());
        assertArrayEquals(CompressionModel.idOf(model), modelIdOf(write(w, img, sp)));
        sp.setModel("no-such-model");
        String m = assertThrows(IIOException.class, () -> write(w, img, sp)).getMessage();
        assertTrue(m.contains("no-such-model") && m.contains("low, medium"), m);
        w.dispose();
    }

    @Test
    void regionAndSubsamplingApplyToTheDecodedImage() throws Exception {
        BufferedImage img = photoLike(64, 32);
        File f = tmp.resolve("r.sdc").toFile();
        ImageIO.write(img, "sdc", f);
        BufferedImage full = ImageIO.read(f);
        try (ImageInputStream in = ImageIO.createImageInputStream(f)) {
            ImageReader r = ImageIO.getImageReadersByFormatName("sdc").next();
            r.setInput(in);
            ImageReadParam p = r.getDefaultReadParam();
            p.setSourceRegion(new java.awt.Rectangle(10, 5, 20, 10));
            p.setSourceSubsampling(2, 2, 0, 0);
            BufferedImage part = r.read(0, p);
            assertEquals(10, part.getWidth());
            assertEquals(5, part.getHeight());
            assertEquals(full.getRGB(12, 7), part.getRGB(1, 1));
        }
    }

    @Test
    void foreignOrDamagedBytesAreAnIioException() throws Exception {
        File f = tmp.resolve("bad.sdc").toFile();
        ImageIO.write(photoLike(16, 16), "sdc", f);
        byte[] d = Files.readAllBytes(f.toPath());
        d[d.length / 2] ^= 1;
        Files.write(f.toPath(), d);
        String m = assertThrows(IIOException.class, () -> ImageIO.read(f)).getMessage();
        assertTrue(m.contains("CRC"), m);
    }

    private static byte[] write(ImageWriter w, BufferedImage img, ImageWriteParam p) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, null), p);
        }
        return bos.toByteArray();
    }
}
