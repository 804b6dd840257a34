package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.TestModels;
import dev.sodec.codec.image.ImageFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void compressesTheBundledImageAndWritesDecodableFiles() throws Exception {
        Path model = TestModels.write(tmp, "mbt.safetensors", Architecture.MBT2018_MEAN);
        Path out = tmp.resolve("demo");
        CompressionCliTest.Result r = CompressionCliTest.run("demo", "--model", model.toString(), "-o", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sodec mbt.safetensors") && r.out().contains("JPEG (ImageIO) ")
                && r.out().contains("JPEG (ImageIO, optimized Huffman)"), r.out());
        // WebP is compared when installed, and the output says so when it is not
        assertTrue(dev.sodec.codec.eval.WebpPeer.find().isPresent() ? r.out().contains("WebP (cwebp") : r.out().contains("WebP not compared"), r.out());
        Path sdc = out.resolve("chelsea.sdc"), png = out.resolve("chelsea.decoded.png");
        assertTrue(Files.size(sdc) > 0);
        assertEquals(451, ImageFiles.read(png, 1 << 20).getWidth());
        // The written stream decodes through the normal CLI to the same picture the demo wrote.
        Path again = tmp.resolve("again.png");
        assertEquals(0, CompressionCliTest.run("decompress", sdc.toString(), "-o", again.toString(), "--model", model.toString()).code());
        assertEquals(-1, compareDecoded(png, again), "first differing pixel");
    }

    private static long compareDecoded(Path a, Path b) throws Exception {
        var x = ImageFiles.read(a, 1 << 20);
        var y = ImageFiles.read(b, 1 << 20);
        for (int j = 0; j < x.getHeight(); j++)
            for (int i = 0; i < x.getWidth(); i++) if (x.getRGB(i, j) != y.getRGB(i, j)) return (long) j * x.getWidth() + i;
        return -1;
    }

    @Test
    void unknownModelNameIsOneLine() {
        CompressionCliTest.Result r = CompressionCliTest.run("demo", "--model", "no-such-model", "-o", tmp.toString());
        CompressionCliTest.assertOneLineError(r, "no-such-model: no such model file, and not a shipped model's name");
    }
}
