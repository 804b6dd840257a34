package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.compression.TestModels;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.json.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    static final List<String> GENERATIVE_STAGES = List.of("encode", "entropy", "g_s", "vit", "unet", "vae", "decode");

    private static String runOk(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), log = new ByteArrayOutputStream();
        int rc = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(0, rc);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void argumentErrorsAreUsageErrors() {
        String[][] bad = {
            {"--runs", "0"}, {"--warmup", "-1"}, {"--runs", "x"}, {"--threads", "-2"}, {"--size", "64"},
            {"--size", "0x64"}, {"--size", "axb"}, {"--size", "100000x100000"}, {"--random", "huge"},
            {"--model", "a", "--random", "tiny"}, {"--image", "a.png", "--size", "64x64"}, {"--frobnicate"},
            {"extra"}, {"--model", "/nonexistent/model.safetensors"}, {"--runs"}, {"--seed", "z"},
        };
        for (String[] a : bad) {
            assertThrows(UsageException.class, () -> BenchCommand.run(a, System.out, System.err), String.join(" ", a));
        }
        // through Main: exit code 2, one line naming the command
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[] {"bench", "--runs", "0"}, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("sodec bench: --runs must be >= 1"), err.toString());
    }

    @Test
    void tableOnTinyRandomModelHasEveryStageWithNumbers() throws Exception {
        String t = runOk("--random", "tiny", "--size", "64x64", "--warmup", "0", "--runs", "3");
        List<String> names = new ArrayList<>();
        for (String line : t.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && GENERATIVE_STAGES.contains(f[0])) {
                names.add(f[0]);
                double med = Double.parseDouble(f[1]), min = Double.parseDouble(f[2]), max = Double.parseDouble(f[3]);
                assertTrue(min >= 0 && min <= med && med <= max, line);
            }
        }
        assertEquals(GENERATIVE_STAGES, names, t);
        assertTrue(t.contains("image 64x64") && t.contains("runs 3"), t);
        assertTrue(t.matches("(?s).*bpp \\d+\\.\\d+ \\(\\d+ bytes\\), peak RSS \\d+ MiB.*"), t);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonOnTinyRandomModelParsesWithEveryStage() throws Exception {
        String j = runOk("--random", "tiny", "--size", "128x64", "--warmup", "1", "--runs", "2", "--json");
        Config c = Config.parse(j, "bench json");
        assertEquals(128, c.getInt("width"));
        assertEquals(64, c.getInt("height"));
        assertEquals(2, c.getInt("runs"));
        assertTrue(c.getDouble("bpp", -1) > 0);
        assertTrue(((Number) c.asMap().get("peak_rss_bytes")).longValue() > 0);
        List<Object> stages = (List<Object>) c.asMap().get("stages");
        List<String> names = new ArrayList<>();
        for (Object o : stages) {
            Map<String, Object> s = (Map<String, Object>) o;
            names.add((String) s.get("name"));
            List<Object> runs = (List<Object>) s.get("runs_ms");
            assertEquals(2, runs.size());
            double med = ((Number) s.get("median_ms")).doubleValue();
            double lo = ((Number) s.get("min_ms")).doubleValue(), hi = ((Number) s.get("max_ms")).doubleValue();
            double r0 = ((Number) runs.get(0)).doubleValue(), r1 = ((Number) runs.get(1)).doubleValue();
            assertEquals(Math.min(r0, r1), lo, 1e-3);
            assertEquals(Math.max(r0, r1), hi, 1e-3);
            assertEquals((r0 + r1) / 2, med, 1e-3);
        }
        assertEquals(GENERATIVE_STAGES, names);
        List<Object> decodes = (List<Object>) c.asMap().get("decodes");
        assertEquals(2, decodes.size(), "one entry per timed run");
        for (Object o : decodes) {
            Map<String, Object> d = (Map<String, Object>) o;
            Map<String, Object> t = (Map<String, Object>) d.get("device_transfers"), plan = (Map<String, Object>) d.get("plan");
            assertEquals(0L, ((Number) t.get("host_to_device_bytes")).longValue(), "the CPU backend moves nothing");
            assertEquals(0L, ((Number) t.get("weight_upload_bytes")).longValue());
            assertTrue(((Number) plan.get("nodes")).intValue() > 100, "the whole decode is one planned graph");
            assertTrue(((Number) plan.get("arena_bytes")).longValue() > 0);
        }
    }

    /** The OneDC random model (toy widths): its encode, host entropy decode and the decode graph's stages. */
    @Test
    @SuppressWarnings("unchecked")
    void oneDcRandomModelHasItsStages() throws Exception {
        String j = runOk("--random", "onedc-tiny", "--size", "70x50", "--warmup", "0", "--runs", "1", "--json");
        Config c = Config.parse(j, "bench json");
        assertEquals(70, c.getInt("width"));
        assertEquals("random-onedc-tiny", c.getString("model"));
        assertTrue(c.getDouble("bpp", -1) > 0);
        List<String> names = new ArrayList<>();
        for (Object o : (List<Object>) c.asMap().get("stages")) {
            Map<String, Object> s = (Map<String, Object>) o;
            names.add((String) s.get("name"));
            assertTrue(((Number) s.get("median_ms")).doubleValue() >= 0);
        }
        assertEquals(List.of("encode", "entropy", "semantic", "codec_dec", "unet", "vae", "decode"), names);
    }

    @Test
    void fullSodecModelFileTimesTheGenerativeDecoder(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("sodec.safetensors");
        try (GoldenCase c = GoldenCase.open(Path.of(System.getProperty("sodec.shared")).resolve("golden/pipeline.sodec"))) {
            SafeTensorsWriter.write(model, c.weights(), Map.of("config", c.config().toString(), "format_version", "1"));
        }
        String t = runOk("--model", model.toString(), "--size", "64x64", "--warmup", "0", "--runs", "2");
        List<String> names = new ArrayList<>();
        for (String line : t.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && (GENERATIVE_STAGES.contains(f[0]) || f[0].equals("hs_ts"))) {
                names.add(f[0]);
                assertTrue(Double.parseDouble(f[2]) <= Double.parseDouble(f[1]), line);
            }
        }
        assertEquals(List.of("encode", "entropy", "g_s", "hs_ts", "vit", "unet", "vae", "decode"), names, t);
    }

    @Test
    void profileSaysWhereTheTimeGoesPerStageAndOp() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), log = new ByteArrayOutputStream();
        assertEquals(0, BenchCommand.run(new String[] {"--random", "tiny", "--size", "64x64", "--warmup", "0", "--runs", "1",
                "--profile", "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(log, true, StandardCharsets.UTF_8)));
        Config.parse(out.toString(StandardCharsets.UTF_8), "json stays one object");
        String p = log.toString(StandardCharsets.UTF_8);
        double share = 0;
        int ops = 0;
        for (String line : p.split("\n")) {
            if (line.matches(".*\\s[0-9.]+%$")) {
                share += Double.parseDouble(line.replaceAll(".*\\s([0-9.]+)%$", "$1"));
                ops++;
            }
        }
        assertTrue(p.contains("conv2d 3x3") && p.contains("attention") && p.contains("gdn") && p.contains("linear"), p);
        assertTrue(ops >= 8, p);
        assertEquals(100, share, 1.0, p);
        assertTrue(p.contains("\nbench: backend cpu"), "the backend's description, after the runs: " + p);
    }

    @Test
    void compressionModelFileTimesTheCompressionStages(@TempDir Path dir) throws Exception {
        Path model = TestModels.write(dir, "m.safetensors", Architecture.MBT2018_MEAN);
        String t = runOk("--model", model.toString(), "--size", "100x70", "--warmup", "0", "--runs", "1");
        List<String> names = new ArrayList<>();
        for (String line : t.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && GENERATIVE_STAGES.contains(f[0])) names.add(f[0]);
        }
        assertEquals(List.of("encode", "entropy", "g_s", "decode"), names, t);
        // 100x70 is padded to the model's multiple of 64
        assertTrue(t.contains("image 128x128"), t);
    }
}
