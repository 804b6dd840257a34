package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sodec convert --onedc}: the release layout to one model file; failures are one line and write nothing. */
class OneDcConvertCommandTest {
    private static final Path CASE = Path.of(System.getProperty("sodec.shared"))
            .resolve("checkpoints/onedc/checkpoint.onedc.release.tiny_100x130");

    @TempDir
    Path tmp;

    private static String[] run(int expectRc, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(err, true));
        String e = err.toString();
        assertEquals(expectRc, rc, e);
        return e.isEmpty() ? new String[0] : e.split("\n");
    }

    @Test
    void convertsTheReleaseToBf16WithTheScheduleInTheConfig() throws Exception {
        Path out = tmp.resolve("onedc.safetensors");
        run(0, "convert", "--onedc", CASE.resolve("release").toString(), "--unet-config", CASE.resolve("sd15_unet").toString(),
                "--vae", CASE.resolve("sd21_vae").toString(), "--scheduler-config", CASE.resolve("sd15_scheduler").toString(),
                "--dtype", "bf16", "-o", out.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("onedc", st.metadata().get("model"));
            assertEquals(DType.BF16, st.get("unet.conv_in.weight").dtype());
            assertEquals(DType.F32, st.get("codec.y_spatial_prior.0.block.0.conv2.weight").dtype());
            Config cfg = Config.parse(st.metadata().get("config"), "config");
            Config caseJson = Config.parse(Files.readString(CASE.resolve("case.json")), "case.json");
            // float32 alpha_bar of diffusers' scaled_linear schedule, as the case pins it
            assertEquals(caseJson.getDouble("abar_999"), cfg.getDouble("alpha_bar"));
        }
    }

    @Test
    void brokenInputIsOneLineAndWritesNothing() throws Exception {
        Path release = Files.createDirectories(tmp.resolve("rel"));
        Files.copy(CASE.resolve("release/model.safetensors"), release.resolve("model.safetensors"));
        Path out = tmp.resolve("x.safetensors");
        String[] lines = run(1, "convert", "--onedc", release.toString(), "--unet-config", CASE.resolve("sd15_unet/config.json").toString(),
                "--vae", CASE.resolve("sd21_vae").toString(), "-o", out.toString());
        assertEquals(1, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("sodec convert: ") && lines[0].contains("model_1.safetensors: no such file"), lines[0]);
        assertFalse(Files.exists(out));
    }

    @Test
    void usageErrors() {
        assertTrue(run(2, "convert", "--onedc", "r", "-o", "y")[0].contains("--unet-config"));
        assertTrue(run(2, "convert", "--vae", "v", "-o", "y")[0].contains("need --onedc"));
        assertTrue(run(2, "convert", "--onedc", "r", "x.pth", "-o", "y")[0].contains("takes no INPUT"));
        assertTrue(run(2, "convert", "--onedc", "r", "--lora-alpha", "big", "-o", "y")[0].contains("expects a number"));
    }
}
