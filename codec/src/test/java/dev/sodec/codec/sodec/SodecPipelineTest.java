package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.conformance.ConformanceRunner;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.conformance.Kinds;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SODEC pipeline against the pipeline.sodec golden case, through the runner and through a model file. */
class SodecPipelineTest {
    static final Path SUITE = Path.of(System.getProperty("sodec.shared")).resolve("golden");
    static final Path CASE = SUITE.resolve("pipeline.sodec");

    @Test
    void goldenCasePassesThroughTheRunner() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ConformanceRunner.Summary summary;
        try (CpuBackend cpu = new CpuBackend(2); PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            summary = new ConformanceRunner(Kinds.all(), cpu).run(SUITE, List.of("pipeline.sodec"), out);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, summary.results().size(), text);
        assertEquals(1, summary.count(ConformanceRunner.Status.PASS), text);
    }

    /** The constants the case notes give for diffusers' float32 DDPMScheduler (scaled_linear, t = 999). */
    @Test
    void scheduleMatchesDiffusersFloat32() {
        NoiseSchedule s = new NoiseSchedule(0.00085, 0.012, 1000, 999, NoiseSchedule.Prediction.EPSILON);
        assertEquals((float) 0.0046600960195064545, s.alphaBar);
        assertEquals((float) 0.06826489418745041, s.c0);
        assertEquals((float) 0.9976672530174255, s.c1);
    }

    /**
     * Other schedules and timesteps against torch 1.13 (Debian python3-torch, this machine): cumprod(1 -
     * linspace(sqrt(a), sqrt(b), n, float32)^2)[t].
     */
    @Test
    void alphaBarMatchesTorchElsewhere() {
        assertEquals((float) 0.9991499781608582, NoiseSchedule.alphaBar(0.00085, 0.012, 1000, 0));
        assertEquals((float) 0.2763324975967407, NoiseSchedule.alphaBar(0.00085, 0.012, 1000, 500));
        assertEquals((float) 0.0007334119873121381, NoiseSchedule.alphaBar(0.0001, 0.02, 1000, 999));
        assertEquals((float) 0.3312746286392212, NoiseSchedule.alphaBar(0.0001, 0.02, 1000, 500));
        assertEquals((float) 0.9521722793579102, NoiseSchedule.alphaBar(0.00085, 0.012, 37, 18));
        assertEquals((float) 0.8189547657966614, NoiseSchedule.alphaBar(0.00085, 0.012, 37, 36));
    }

    /** Both parameterizations invert the forward noising y_t = c0 x0 + c1 n (computed here in double). */
    @Test
    void x0InvertsForwardNoising() {
        Random r = new Random(7);
        int n = 257;
        for (NoiseSchedule.Prediction p : NoiseSchedule.Prediction.values()) {
            NoiseSchedule s = new NoiseSchedule(0.00085, 0.012, 1000, 999, p);
            float[] x0 = new float[n], yT = new float[n], out = new float[n];
            for (int i = 0; i < n; i++) {
                double x = r.nextGaussian(), noise = r.nextGaussian();
                x0[i] = (float) x;
                yT[i] = (float) (s.c0 * x + s.c1 * noise);
                out[i] = (float) (p == NoiseSchedule.Prediction.EPSILON ? noise : s.c0 * noise - s.c1 * x);
            }
            float[] got;
            try (CpuBackend cpu = new CpuBackend(1)) {
                got = new Eager(cpu).run((g, in) -> s.x0(g, in[0], in[1]), Tensor.fromFloats(yT, n), Tensor.fromFloats(out, n)).toFloatArray();
            }
            for (int i = 0; i < n; i++) assertEquals(x0[i], got[i], 2e-4 * (1 + Math.abs(x0[i])), p + " element " + i);
        }
    }

    @Test
    void badSchedulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new NoiseSchedule(0.00085, 0.012, 1000, 1000, NoiseSchedule.Prediction.EPSILON));
        assertThrows(IllegalArgumentException.class, () -> new NoiseSchedule(0, 0.012, 1000, 999, NoiseSchedule.Prediction.EPSILON));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.Prediction.fromId("sample"));
    }

    /** Writes the case's weights and config as an engine model file (the full-model contract). */
    static Path writeModelFile(GoldenCase c, Path file) throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", c.config().toString());
        meta.put("format_version", "1");
        SafeTensorsWriter.write(file, c.weights(), meta);
        return file;
    }

    @Test
    void fullModelFileRoundTrip(@TempDir Path tmp) throws Exception {
        try (GoldenCase c = GoldenCase.open(CASE)) {
            Path file = writeModelFile(c, tmp.resolve("sodec.safetensors"));
            assertTrue(SodecModel.isFullModel(file));
            try (SodecModel m = SodecModel.load(file); CpuBackend cpu = new CpuBackend(2); Parallel par = new Parallel(2)) {
                int[] zs = c.expected("z_shape").toIntArray();
                HyperpriorCodec.Latents d = m.compression().codec().entropyDecode(par, c.expected("y_string").toByteArray(),
                        c.expected("z_string").toByteArray(), zs[0], zs[1]);
                GenerativeDecoder.Result r = m.decoder().decodeAll(cpu, d.yHat(), d.zHat());
                Map<String, Tensor> got = Map.of("x_f", r.xF(), "c_g", r.cG(), "eps", r.eps(), "y0", r.y0(), "x_hat", r.xHat());
                assertArrayEquals(r.xHat().toFloatArray(), m.decoder().decode(cpu, d.yHat(), d.zHat()).toFloatArray(),
                        "the production graph (x_hat only) gives the same image");
                for (Map.Entry<String, Tensor> e : got.entrySet()) {
                    double[] tol = c.tolerance(e.getKey());
                    Comparison cmp = Comparison.compare(e.getKey(), e.getValue(), c.expected(e.getKey()), tol[0], tol[1]);
                    assertTrue(cmp.pass(), cmp.toString());
                }
            }
        }
    }

    @Test
    void configMistakesAreNamed(@TempDir Path tmp) throws Exception {
        try (GoldenCase c = GoldenCase.open(CASE)) {
            Map<String, Object> cfg = new LinkedHashMap<>(c.config().asMap());
            cfg.put("cross_dim", 65);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SodecConfig.from(new Config(cfg, "test")));
            assertTrue(e.getMessage().contains("cross_dim"), e.getMessage());

            Map<String, Tensor> w = new LinkedHashMap<>(c.weights());
            w.remove("proj.norm.weight");
            SodecConfig sc = SodecConfig.from(c.config());
            Exception missing = assertThrows(RuntimeException.class, () -> SodecModel.fromWeights(w, sc, new byte[8], "t"));
            assertTrue(missing.getMessage().contains("proj.norm.weight"), missing.getMessage());

            Map<String, Tensor> extra = new LinkedHashMap<>(c.weights());
            extra.put("ts.9.weight", Tensor.zeros(1));
            Exception unused = assertThrows(RuntimeException.class, () -> SodecModel.fromWeights(extra, sc, new byte[8], "t"));
            assertTrue(unused.getMessage().contains("ts.9.weight"), unused.getMessage());

            Map<String, Object> noUnet = new LinkedHashMap<>(c.config().asMap());
            noUnet.remove("unet");
            Map<String, String> meta = Map.of("config", new Config(noUnet, "t").toString(), "format_version", "1");
            Path file = tmp.resolve("no-unet.safetensors");
            SafeTensorsWriter.write(file, c.weights(), meta);
            assertFalse(SodecModel.isFullModel(file));
            assertThrows(IllegalArgumentException.class, () -> SodecModel.load(file));
        }
    }
}
