package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.cli.CompressionCliTest.Result;
import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.TestModels;
import dev.sodec.codec.eval.WebpPeer;
import dev.sodec.engine.json.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval: bad images skipped and named, JSON and CSV, peers at matched bytes; bdrate between two codecs. */
class EvalCliTest {
    @TempDir
    static Path tmp;
    static Path mbt, bmshj, dir;

    @BeforeAll
    static void setUp() throws Exception {
        mbt = TestModels.write(tmp, "mbt.safetensors", Architecture.MBT2018_MEAN);
        bmshj = TestModels.write(tmp, "bmshj.safetensors", Architecture.BMSHJ2018_HYPERPRIOR);
        dir = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 2; i++) {
            BufferedImage img = new BufferedImage(48 + 16 * i, 40, BufferedImage.TYPE_INT_RGB);
            java.util.Random r = new java.util.Random(i);
            for (int y = 0; y < 40; y++) for (int x = 0; x < img.getWidth(); x++) {
                int v = (int) (128 + 90 * Math.sin(x / 5.0 + i) * Math.cos(y / 7.0)) + r.nextInt(20);
                img.setRGB(x, y, Math.min(255, v) << 16 | (x * 4 & 255) << 8 | (y * 5 & 255));
            }
            ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
        }
    }

    @Test
    void aBadImageIsNamedSkippedAndMakesTheStatus1() throws Exception {
        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        Files.copy(dir.resolve("img0.png"), mixed.resolve("a.png"));
        Files.writeString(mixed.resolve("b.png"), "broken");
        Files.copy(dir.resolve("img1.png"), mixed.resolve("c.png"));
        Result r = run("eval", "--model", mbt.toString(), mixed.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("b.png: not a PNG, JPEG") && r.err().contains("(skipped)"), r.err());
        assertTrue(r.out().contains("a.png") && r.out().contains("c.png") && r.out().contains("average (2 images)"), r.out());
        assertTrue(r.out().contains("failed: ") && r.out().contains("b.png"), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonHasRowsAveragesAndPeersAtLeastOurBytes() {
        Result r = run("eval", "--model", mbt.toString(), "--model", bmshj.toString(), "--compare", "--format", "json", dir.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> o = Json.parseObject(r.out());
        List<Map<String, Object>> rows = (List<Map<String, Object>>) o.get("rows");
        int peers = WebpPeer.find().isPresent() ? 3 : 2;
        assertEquals(2 * 2 * (1 + peers), rows.size(), r.out());
        long ourBytes = -1;
        for (Map<String, Object> row : rows) {
            if (row.get("codec").equals("sodec")) {
                ourBytes = ((Number) row.get("bytes")).longValue();
                assertTrue(((Number) row.get("encode_s")).doubleValue() >= 0);
            } else {
                // a peer never gets fewer bytes than ours for the same image (it may exceed them)
                assertTrue(((Number) row.get("bytes")).longValue() >= ourBytes || row.get("codec").toString().startsWith("WebP"), row.toString());
                assertTrue(row.get("series").toString().endsWith(" bytes"), row.toString());
            }
        }
        List<Map<String, Object>> avg = (List<Map<String, Object>>) o.get("averages");
        assertEquals(2 * (1 + peers), avg.size());
        assertEquals("sodec mbt.safetensors", avg.get(0).get("series"));
        List<Object> notes = (List<Object>) o.get("notes");
        assertEquals(peers == 3 ? 0 : 1, notes.size(), notes.toString());
    }

    @Test
    void csvHasAHeaderAndOneLinePerRowAndAverage() throws Exception {
        Path report = tmp.resolve("report.csv");
        Result r = run("eval", "--model", mbt.toString(), "--compare-jpeg", "--format", "csv", "-o", report.toString(), dir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(report);
        assertEquals("image,series,codec,setting,width,height,bytes,bpp,psnr_db,ms_ssim,encode_s,decode_s", lines.get(0));
        assertEquals(1 + 4 + 2, lines.size(), String.join("\n", lines));
        for (String l : lines) assertEquals(12, l.split(",", -1).length, l);
        assertTrue(lines.get(1).startsWith("img0.png,sodec mbt.safetensors,sodec,mbt.safetensors,48,40,"), lines.get(1));
    }

    @Test
    void bdRateOfOptimizedHuffmanAgainstStandardJpegIsASaving() {
        // the same pixels in fewer bytes at every quality: a negative BD-rate (on images this small the standard
        // tables in the header are a large share of the file; the curves then share no rate range, so no BD-PSNR)
        Result r = run("bdrate", dir.toString(), "--anchor", "jpeg:10,20,40,60,80", "--test", "jpeg-opt:10,20,40,60,80", "--format", "json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> o = Json.parseObject(r.out());
        double bd = ((Number) o.get("bd_rate_percent")).doubleValue();
        assertTrue(bd < -5 && bd > -90, "BD-rate " + bd);
        assertEquals(5, ((List<?>) ((Map<?, ?>) o.get("anchor")).get("points")).size());
        Result t = run("bdrate", dir.toString(), "--anchor", "jpeg:10,20,40,60,80", "--test", "jpeg-opt:10,20,40,60,80");
        assertTrue(t.out().contains("BD-rate of jpeg-opt:10,20,40,60,80 against jpeg:10,20,40,60,80 (PSNR, 2 images): -"), t.out());
    }

    @Test
    void bdRateUsageErrors() {
        Result r = run("bdrate", dir.toString(), "--anchor", "png");
        assertEquals(2, r.code());
        CompressionCliTest.assertOneLineError(r, "unknown codec 'png'");
        CompressionCliTest.assertOneLineError(run("bdrate", dir.toString(), "--anchor", "jpeg:101"), "not an integer 0..100");
        CompressionCliTest.assertOneLineError(run("bdrate", dir.toString(), "--anchor", "jpeg", "--test", "jpeg"), "both jpeg");
    }
}
