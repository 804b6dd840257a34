package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compress / decompress / info / eval through Main.run, success and every error path. */
class CompressionCliTest {
    @TempDir
    static Path tmp;
    static Path mbt, bmshj, png;

    @BeforeAll
    static void setUp() throws Exception {
        mbt = TestModels.write(tmp, "mbt.safetensors", Architecture.MBT2018_MEAN);
        bmshj = TestModels.write(tmp, "bmshj.safetensors", Architecture.BMSHJ2018_HYPERPRIOR);
        png = tmp.resolve("in.png");
        BufferedImage img = new BufferedImage(37, 61, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 61; y++) for (int x = 0; x < 37; x++) img.setRGB(x, y, (x * 7) << 16 | (y * 4) << 8 | (x + y));
        ImageIO.write(img, "png", png.toFile());
    }

    record Result(int code, String out, String err, byte[] outBytes) {
        Result(int code, String out, String err) {
            this(code, out, err, out.getBytes(StandardCharsets.UTF_8));
        }
    }

    static Result run(String... args) {
        return runWithStdin(new byte[0], args);
    }

    /** Main.run with {@code stdin} as standard input; stdout kept as bytes too (binary output). */
    static synchronized Result runWithStdin(byte[] stdin, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream(), out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        java.io.InputStream oldIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setIn(new java.io.ByteArrayInputStream(stdin));
        try {
            int code = Main.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
        } finally {
            System.setOut(oldOut);
            System.setIn(oldIn);
        }
    }

    /** A failure: non-zero exit, exactly one line on stderr naming the problem, no stack trace. */
    static void assertOneLineError(Result r, String expect) {
        assertNotEquals(0, r.code, r.err);
        String e = r.err.strip();
        assertFalse(e.isEmpty(), "no message");
        assertEquals(1, e.lines().count(), "one line expected: " + r.err);
        assertFalse(e.contains("\tat ") || e.contains("Exception:"), "stack trace or exception class: " + e);
        assertTrue(e.toLowerCase().contains(expect.toLowerCase()), "expected '" + expect + "' in: " + e);
    }

    @Test
    void compressInfoDecompressRoundTrip() throws Exception {
        Path sdc = tmp.resolve("rt.sdc"), outPng = tmp.resolve("rt.png");
        Result c = run("compress", png.toString(), "-o", sdc.toString(), "--model", mbt.toString(), "--threads", "1");
        assertEquals(0, c.code, c.err);
        Result i = run("info", sdc.toString());
        assertEquals(0, i.code, i.err);
        assertTrue(i.out.contains("37x61") && i.out.contains("mbt2018-mean"), i.out);
        Result d = run("decompress", sdc.toString(), "-o", outPng.toString(), "--model", mbt.toString(), "--threads", "3");
        assertEquals(0, d.code, d.err);
        BufferedImage back = ImageIO.read(outPng.toFile());
        assertEquals(37, back.getWidth());
        assertEquals(61, back.getHeight());
    }

    @Test
    void evalPrintsPerImageAndAverage() throws Exception {
        Path second = tmp.resolve("second.jpg");
        BufferedImage img = new BufferedImage(70, 50, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) for (int x = 0; x < 70; x++) img.setRGB(x, y, (x * 3) << 16 | (y * 5) << 8 | 90);
        ImageIO.write(img, "jpeg", second.toFile());
        Result r = run("eval", "--model", mbt.toString(), png.toString(), second.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("in.png") && r.out.contains("second.jpg") && r.out.contains("average (2 images)"), r.out);
        assertTrue(r.out.contains("bpp") && r.out.contains("psnr_db") && r.out.contains("ms_ssim"), r.out);
    }

    @Test
    void foreignTruncatedCorruptAndOtherModelFilesFailInOneLine() throws Exception {
        Path sdc = tmp.resolve("e.sdc");
        assertEquals(0, run("compress", png.toString(), "-o", sdc.toString(), "--model", mbt.toString()).code);
        byte[] good = Files.readAllBytes(sdc);
        Path out = tmp.resolve("never.png");

        assertOneLineError(run("decompress", png.toString(), "-o", out.toString(), "--model", mbt.toString()), "not a sodec");
        assertOneLineError(run("info", png.toString()), "not a sodec");
        Path cut = tmp.resolve("cut.sdc");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 5));
        assertOneLineError(run("decompress", cut.toString(), "-o", out.toString(), "--model", mbt.toString()), "truncated");
        Path flip = tmp.resolve("flip.sdc");
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 4;
        Files.write(flip, bad);
        assertOneLineError(run("decompress", flip.toString(), "-o", out.toString(), "--model", mbt.toString()), "CRC");
        Path ver = tmp.resolve("ver.sdc");
        byte[] v = good.clone();
        v[4] = 9;
        Files.write(ver, v);
        assertOneLineError(run("decompress", ver.toString(), "-o", out.toString(), "--model", mbt.toString()), "version 9");
        Result mismatch = run("decompress", sdc.toString(), "-o", out.toString(), "--model", bmshj.toString());
        assertOneLineError(mismatch, "model mismatch");
        assertTrue(mismatch.err.contains("'bmshj.safetensors'"), mismatch.err);
        assertEquals(1, mismatch.code);
        assertOneLineError(run("decompress", tmp.resolve("missing.sdc").toString(), "-o", out.toString(), "--model", mbt.toString()), "no such file");
        assertFalse(Files.exists(out), "no output may be written on failure");
    }

    @Test
    void grayAndSixteenBitImagesAreCoded() throws Exception {
        Path gray = tmp.resolve("gray.png"), rgb16 = tmp.resolve("rgb16.png");
        ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY), "png", gray.toFile());
        assertTrue(ImageIO.write(dev.sodec.codec.image.TestImages.rgb16(20, 20), "png", rgb16.toFile()));
        for (Path p : new Path[] {gray, rgb16}) {
            Path sdc = tmp.resolve(p.getFileName() + ".sdc");
            Result r = run("compress", p.toString(), "-o", sdc.toString(), "--model", mbt.toString());
            assertEquals(0, r.code, r.err);
            assertTrue(r.out.contains("20x20"), r.out);
        }
    }

    @Test
    void imagesWeCannotReadFailInOneLine() throws Exception {
        Path out = tmp.resolve("never.sdc");

        Path zero = tmp.resolve("zero.png");
        Files.write(zero, pngHeaderOnly(0, 10));
        assertOneLineError(run("compress", zero.toString(), "-o", out.toString(), "--model", mbt.toString()), "");

        Path huge = tmp.resolve("huge.png");
        Files.write(huge, pngHeaderOnly(60000, 60000));
        assertOneLineError(run("compress", huge.toString(), "-o", out.toString(), "--model", mbt.toString()), "limit");

        Path text = tmp.resolve("text.png");
        Files.writeString(text, "this is not an image");
        assertOneLineError(run("compress", text.toString(), "-o", out.toString(), "--model", mbt.toString()), "text.png: not a PNG, JPEG");
        assertOneLineError(run("compress", tmp.resolve("nope.png").toString(), "-o", out.toString(), "--model", mbt.toString()), "no such file");
        Result folder = run("compress", tmp.toString(), "-o", out.toString(), "--model", mbt.toString());
        assertOneLineError(folder, "is a folder, not a file");
        assertEquals(1, folder.code);
        assertFalse(Files.exists(out), "no output may be written on failure");
    }

    @Test
    void usageErrorsFailInOneLineWithStatus2() {
        for (Result r : new Result[] {
                run("compress", png.toString()),
                run("eval", "--model", mbt.toString()),
                run("decompress", "a.sdc", "-o", "b.png", "--threads", "many"),
                run("compress", png.toString(), "-o", "x.sdc", "--bogus"),
                run("compress", png.toString(), png.toString(), "-o", "x.sdc"),
                run("compress", png.toString(), "-o", "x.sdc", "--outdir", "d"),
                run("decompress", "a.sdc", "-o", "b.bmp"),
                run("compress", png.toString(), "-o", "x.sdc", "--backend", "gpu"),
                run("compress", png.toString(), "-o", "x.sdc", "--background", "teal"),
                run("compress", png.toString(), "-o", "x.sdc", "-j", "0"),
                run("frobnicate")}) {
            assertEquals(2, r.code, r.err);
            assertOneLineError(r, "");
        }
        assertOneLineError(run("compress", png.toString()), "usage: sodec compress IN... (-o OUT.sdc | --outdir DIR) [--model M]");
        assertOneLineError(run("decompress", "a.sdc", "-o", "b.bmp"), "'.bmp'");
        assertOneLineError(run("compress", png.toString(), "-o", "x.sdc", "--bogus"), "unknown option --bogus (sodec compress --help lists the options)");
        assertOneLineError(run("compress", png.toString(), png.toString(), "-o", "x.sdc"), "use --outdir");
    }

    @Test
    void aModelThatCannotBeFoundIsAFailureNotAUsageError() {
        Result r = run("compress", png.toString(), "-o", tmp.resolve("m.sdc").toString(), "--model", tmp.resolve("none.safetensors").toString());
        assertEquals(1, r.code, r.err);
        assertOneLineError(r, "no such model file, and not a shipped model's name (shipped: lowest, low, medium, high, higher, highest)"
                + " nor an added one (sodec models list)");
    }

    /** A PNG signature and an IHDR chunk claiming w x h, 8-bit RGB, and nothing else. */
    static byte[] pngHeaderOnly(int w, int h) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(w);
        c.writeInt(h);
        c.write(new byte[] {8, 2, 0, 0, 0});
        byte[] body = chunk.toByteArray();
        d.writeInt(13);
        d.write(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        d.writeInt((int) crc.getValue());
        return b.toByteArray();
    }
}
