package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.assertOneLineError;
import static dev.sodec.codec.cli.CompressionCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.cli.CompressionCliTest.Result;
import dev.sodec.codec.compression.CompressionModel;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.UserModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compress --quality / --target-bpp / --target-size and sodec models list|add, through Main.run. */
class QualityCliTest {
    static final Path SHARED = Path.of(System.getProperty("sodec.shared"));
    static final String PHOTO = SHARED.resolve("images/chelsea.png").toString();
    static final Path ZIP = SHARED.resolve("checkpoints/checkpoint.compressai.mbt2018_mean.zip/model.pth.tar");
    static final Path PREUPDATE = SHARED.resolve("checkpoints/checkpoint.compressai.mbt2018_mean.train_preupdate/checkpoint.pth.tar");

    @TempDir
    Path tmp;
    Path modelDir;

    @BeforeEach
    void useATemporaryModelFolder() {
        modelDir = tmp.resolve("models");
        System.setProperty("sodec.model.dir", modelDir.toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty("sodec.model.dir");
    }

    /** Level 1's name. */
    private static String first() {
        return BundledModels.ladder().get(0).name();
    }

    private static int levels() {
        return BundledModels.ladder().size();
    }

    @Test
    void qualityPicksThatLevelsModel() throws Exception {
        Path out = tmp.resolve("q.sdc");
        Result r = run("compress", PHOTO, "-o", out.toString(), "--quality", "2");
        assertEquals(0, r.code(), r.err());
        String second = BundledModels.ladder().get(1).name();
        assertTrue(r.out().contains("quality level 2 (" + second + ")"), r.out());
        byte[] medium = CompressionModel.idOf(BundledModels.byName(second).orElseThrow());
        assertEquals(java.util.HexFormat.of().formatHex(medium), dev.sodec.codec.api.SodecCodec.info(Files.readAllBytes(out)).modelIdHex());
        Result d = run("decompress", out.toString(), "-o", tmp.resolve("q.png").toString());
        assertEquals(0, d.code(), d.err());
    }

    @Test
    void usageErrorsAreOneLineExit2() {
        String o = tmp.resolve("u.sdc").toString();
        for (String[] args : List.of(
                new String[] {"--quality", "1", "--model", "low"},
                new String[] {"--quality", "1", "--target-size", "100"},
                new String[] {"--target-bpp", "0.3", "--model", "medium"})) {
            String[] argv = Stream.concat(Stream.of("compress", PHOTO, "-o", o), Stream.of(args)).toArray(String[]::new);
            Result r = run(argv);
            assertEquals(2, r.code(), r.err());
            assertOneLineError(r, "exclude each other");
        }
        Result r = run("compress", PHOTO, "-o", o, "--quality", String.valueOf(levels() + 1));
        assertEquals(2, r.code());
        assertOneLineError(r, "no quality level " + (levels() + 1) + ": the levels are 1.." + levels());
        for (String[] bad : List.of(new String[] {"--quality", "0"}, new String[] {"--quality", "high"},
                new String[] {"--target-bpp", "-1"}, new String[] {"--target-bpp", "x"}, new String[] {"--target-size", "0"},
                new String[] {"--target-size", "1.5"})) {
            r = run("compress", PHOTO, "-o", o, bad[0], bad[1]);
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertOneLineError(r, bad[0]);
        }
        assertFalse(Files.exists(Path.of(o)));
    }

    @Test
    void aTargetTooSmallForLevelOneWritesNothing() {
        Path o = tmp.resolve("small.sdc");
        Result r = run("compress", PHOTO, "-o", o.toString(), "--target-size", "100");
        assertEquals(1, r.code(), r.err());
        assertOneLineError(r, "no quality level fits 100 bytes for this 451x300 image: the lowest, level 1 (" + first() + "), needs");
        assertFalse(Files.exists(o));
    }

    @Test
    void aTargetPicksTheHighestFittingLevel() throws Exception {
        // level 1's size for this photo, then a budget of exactly that: level 1, and with the top level's size: the top
        Path one = tmp.resolve("one.sdc"), top = tmp.resolve("top.sdc"), t = tmp.resolve("t.sdc");
        assertEquals(0, run("compress", PHOTO, "-o", one.toString(), "--quality", "1").code());
        assertEquals(0, run("compress", PHOTO, "-o", top.toString(), "--quality", String.valueOf(levels())).code());
        Result r = run("compress", PHOTO, "-o", t.toString(), "--target-size", String.valueOf(Files.size(one)));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("quality level 1 (" + first() + ")"), r.out());
        double topBpp = Files.size(top) * 8.0 / (451 * 300);
        r = run("compress", PHOTO, "-o", t.toString(), "--target-bpp", String.valueOf(topBpp + 1e-6));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("quality level " + levels() + " ("), r.out());
        assertEquals(Files.size(top), Files.size(t));
    }

    @Test
    void helpListsTheRateOptions() {
        Result r = run("compress", "--help");
        assertEquals(0, r.code());
        for (String opt : List.of("--quality N", "--target-bpp X", "--target-size BYTES", "--model M")) {
            assertTrue(r.out().contains(opt), opt + " missing from: " + r.out());
        }
        r = run("models", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("add FILE") && r.out().contains("--name N"), r.out());
    }

    @Test
    void modelsListShowsTheShippedLevels() {
        Result r = run("models", "list");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        for (BundledModels.Model m : BundledModels.ladder()) {
            int n = BundledModels.ladder().indexOf(m) + 1;
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(n + " ") && l.contains(" " + m.name() + " ") && l.contains("shipped")),
                    m.name() + " not at level " + n + ":\n" + r.out());
        }
    }

    /** A CompressAI checkpoint (zoo layout, and a train.py one saved before update()) added and then used by name and level. */
    @Test
    void addedCheckpointsSlotIntoTheLadder() throws Exception {
        Result r = run("models", "add", ZIP.toString(), "--name", "tiny");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("added 'tiny' (mbt2018-mean N=16 M=24"), r.out());
        assertTrue(Files.isRegularFile(modelDir.resolve("tiny.safetensors")));
        UserModels.Entry e = UserModels.read(modelDir).entries().get(0);
        assertEquals("tiny", e.name());
        assertTrue(e.bpp() > 0, "measured rate " + e.bpp());
        // its level: one more than the shipped levels of lower rate
        long below = BundledModels.ladder().stream().filter(m -> m.bpp() <= e.bpp()).count();
        int level = (int) below + 1;
        assertTrue(r.out().contains("quality level " + level + " of " + (levels() + 1)), r.out());

        Path out = tmp.resolve("tiny.sdc");
        r = run("compress", PHOTO, "-o", out.toString(), "--quality", String.valueOf(level));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("quality level " + level + " (tiny)"), r.out());
        Path byName = tmp.resolve("byname.sdc");
        assertEquals(0, run("compress", PHOTO, "-o", byName.toString(), "--model", "tiny").code());
        assertEquals(Files.size(out), Files.size(byName));
        // measured rate = this file's rate (same photo, same model)
        assertEquals(Files.size(out) * 8.0 / (451 * 300), e.bpp(), 1e-9);
        // decoding finds the added model by the id in the file
        assertEquals(0, run("decompress", out.toString(), "-o", tmp.resolve("tiny.png").toString()).code());

        r = run("models", "add", PREUPDATE.toString(), "--name", "tiny");
        assertEquals(2, r.code());
        assertOneLineError(r, "already added");
        r = run("models", "add", PREUPDATE.toString(), "--name", "tiny-pre");
        assertEquals(0, r.code(), r.err());
        r = run("models", "list");
        assertTrue(r.out().contains(" tiny ") && r.out().contains(" tiny-pre "), r.out());
    }

    @Test
    void addRefusesBadInputInOneLineAndLeavesNothing() throws Exception {
        Result r = run("models", "add", tmp.resolve("nope.pth.tar").toString());
        assertEquals(1, r.code());
        assertOneLineError(r, "no such checkpoint file");
        Path junk = tmp.resolve("junk.pth.tar");
        Files.write(junk, new byte[] {1, 2, 3, 4});
        r = run("models", "add", junk.toString());
        assertEquals(1, r.code());
        assertOneLineError(r, "junk.pth.tar");
        r = run("models", "add", ZIP.toString(), "--name", "low");
        assertEquals(2, r.code());
        assertOneLineError(r, "shipped model's name");
        r = run("models", "add", ZIP.toString(), "--name", "../x");
        assertEquals(2, r.code());
        assertOneLineError(r, "not usable");
        r = run("models", "frobnicate");
        assertEquals(2, r.code());
        assertOneLineError(r, "unknown models action");
        try (Stream<Path> s = Files.exists(modelDir) ? Files.list(modelDir) : Stream.empty()) {
            assertEquals(List.of(), s.toList(), "left in the model folder");
        }
    }

    @Test
    void zooFileNamesGiveTheModelName() {
        assertEquals("mbt2018-mean-3", ModelAdder.defaultName(Path.of("/d/mbt2018-mean-3-e2b0c1ea.pth.tar")));
        assertEquals("bmshj2018-hyperprior-8", ModelAdder.defaultName(Path.of("bmshj2018-hyperprior-8-a583f0cf.pth.tar")));
        assertEquals("bmshj2018-hyperprior-ms-ssim-3", ModelAdder.defaultName(Path.of("bmshj2018-hyperprior-ms-ssim-3-92dd7878.pth.tar")));
        assertEquals("checkpoint", ModelAdder.defaultName(Path.of("checkpoint.pth.tar")));
        assertEquals("mbt2018-mean-9-e2b0c1ea", ModelAdder.defaultName(Path.of("mbt2018-mean-9-e2b0c1ea.pth.tar")));
    }
}
