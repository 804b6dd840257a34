package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.assertOneLineError;
import static dev.sodec.codec.cli.CompressionCliTest.run;
import static dev.sodec.codec.cli.CompressionCliTest.runWithStdin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.cli.CompressionCliTest.Result;
import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.TestModels;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.Pnm;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output formats, stdin/stdout, several inputs with --outdir and -j, file modes, error messages about paths. */
class CliFilesTest {
    @TempDir
    static Path tmp;
    static Path mbt, png, sdc;

    @BeforeAll
    static void setUp() throws Exception {
        mbt = TestModels.write(tmp, "mbt.safetensors", Architecture.MBT2018_MEAN);
        png = tmp.resolve("in.png");
        BufferedImage img = new BufferedImage(37, 21, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 21; y++) for (int x = 0; x < 37; x++) img.setRGB(x, y, (x * 7) << 16 | (y * 9) << 8 | 60);
        ImageIO.write(img, "png", png.toFile());
        sdc = tmp.resolve("in.sdc");
        assertEquals(0, run("compress", png.toString(), "-o", sdc.toString(), "--model", mbt.toString()).code());
    }

    @Test
    void decompressWritesTheFormatItsNameAsksFor() throws Exception {
        Path jpg = tmp.resolve("out.jpg"), ppm = tmp.resolve("out.ppm"), forced = tmp.resolve("forced.img");
        assertEquals(0, run("decompress", sdc.toString(), "-o", jpg.toString(), "--model", mbt.toString()).code());
        byte[] j = Files.readAllBytes(jpg);
        assertTrue((j[0] & 0xFF) == 0xFF && (j[1] & 0xFF) == 0xD8, "JPEG bytes");
        assertEquals(0, run("decompress", sdc.toString(), "-o", ppm.toString(), "--model", mbt.toString()).code());
        assertEquals(37, Pnm.read(Files.readAllBytes(ppm), 10_000).getWidth());
        assertEquals(0, run("decompress", sdc.toString(), "-o", forced.toString(), "--format", "ppm", "--model", mbt.toString()).code());
        assertEquals('P', Files.readAllBytes(forced)[0]);
    }

    @Test
    void stdinAndStdout() throws Exception {
        // compress stdin to stdout: the bytes are the container, the status line goes to stderr
        Result c = runWithStdin(Files.readAllBytes(png), "compress", "-", "-o", "-", "--model", mbt.toString());
        assertEquals(0, c.code(), c.err());
        assertArrayEquals(Files.readAllBytes(sdc), c.outBytes());
        assertTrue(c.err().contains("stdout: 37x21"), c.err());
        // decompress stdin to stdout: a PNG unless --format says otherwise
        Result d = runWithStdin(c.outBytes(), "decompress", "-", "-o", "-", "--model", mbt.toString());
        assertEquals(0, d.code(), d.err());
        BufferedImage back = ImageIO.read(new java.io.ByteArrayInputStream(d.outBytes()));
        assertEquals(37, back.getWidth());
        Result p = runWithStdin(c.outBytes(), "decompress", "-", "-o", "-", "--format", "ppm", "--model", mbt.toString());
        assertEquals('P', p.outBytes()[0]);
        Result i = runWithStdin(c.outBytes(), "info", "-");
        assertTrue(i.out().contains("37x21"), i.out());
        assertFalse(Files.exists(Path.of("-")), "no file named -");
        Result bad = runWithStdin("junk".getBytes(), "decompress", "-", "-o", "-", "--model", mbt.toString());
        assertOneLineError(bad, "not a sodec");
        assertEquals(0, bad.outBytes().length, "nothing written to stdout on failure");
    }

    @Test
    void severalInputsWithOutdirAndJobs() throws Exception {
        Path dir = tmp.resolve("batch"), out = tmp.resolve("batch-out");
        Files.createDirectories(dir);
        for (int i = 0; i < 4; i++) Files.copy(png, dir.resolve("img" + i + ".png"));
        String[] inputs = Stream.of(0, 1, 2, 3).map(i -> dir.resolve("img" + i + ".png").toString()).toArray(String[]::new);
        String[] args = Stream.concat(Stream.of("compress"), Stream.concat(Stream.of(inputs),
                Stream.of("--outdir", out.toString(), "-j", "3", "--model", mbt.toString()))).toArray(String[]::new);
        Result r = run(args);
        assertEquals(0, r.code(), r.err());
        byte[] expected = Files.readAllBytes(sdc);
        for (int i = 0; i < 4; i++) assertArrayEquals(expected, Files.readAllBytes(out.resolve("img" + i + ".sdc")), "img" + i);

        Path decoded = tmp.resolve("batch-png");
        Result d = run("decompress", out.resolve("img0.sdc").toString(), out.resolve("img1.sdc").toString(),
                "--outdir", decoded.toString(), "-j", "2", "--format", "jpeg", "--model", mbt.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals(37, ImageFiles.read(decoded.resolve("img1.jpg"), 10_000).getWidth());
    }

    @Test
    void aBadInputAmongSeveralIsNamedAndTheOthersAreDone() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.png"), "not an image"), out = tmp.resolve("mixed-out");
        Result r = run("compress", png.toString(), bad.toString(), "--outdir", out.toString(), "--model", mbt.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.png: not a PNG, JPEG"), r.err());
        assertTrue(r.err().contains("1 of 2 inputs failed"), r.err());
        assertTrue(Files.exists(out.resolve("in.sdc")));
        assertFalse(Files.exists(out.resolve("bad.sdc")));
    }

    @Test
    void twoInputsOfTheSameNameAreRefusedBeforeAnyWork() throws Exception {
        Path sub = Files.createDirectories(tmp.resolve("sub"));
        Files.copy(png, sub.resolve("in.png"));
        Result r = run("compress", png.toString(), sub.resolve("in.png").toString(), "--outdir", tmp.resolve("dup").toString(), "--model", mbt.toString());
        assertEquals(2, r.code());
        assertOneLineError(r, "would both write");
    }

    @Test
    void infoOnSeveralFilesNamesEachAndTheOneThatFails() {
        Result r = run("info", sdc.toString(), tmp.resolve("gone.sdc").toString(), sdc.toString());
        assertEquals(1, r.code());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("file:")).count(), r.out());
        assertTrue(r.out().contains("model:        id "), r.out()); // a test model: no shipped name
        assertTrue(r.err().contains("gone.sdc: no such file"), r.err());
    }

    @Test
    void sdcFilesGetTheUmasksMode() throws Exception {
        Path reference = Files.createFile(tmp.resolve("mode-reference"));
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(sdc));
    }

    @Test
    void pathErrorsNameTheOutputAndTheReason() throws Exception {
        Result proc = run("compress", png.toString(), "-o", "/proc/x.sdc", "--model", mbt.toString());
        assertOneLineError(proc, "cannot write /proc/x.sdc");
        assertFalse(proc.err().contains(".part"), proc.err());
        assertEquals(1, proc.code());
        assertOneLineError(run("compress", png.toString(), "-o", png.resolve("x.sdc").toString(), "--model", mbt.toString()),
                "in.png is a file, not a folder");
        assertOneLineError(run("decompress", tmp.toString(), "-o", tmp.resolve("y.png").toString(), "--model", mbt.toString()),
                "is a folder, not a file");
    }
}
