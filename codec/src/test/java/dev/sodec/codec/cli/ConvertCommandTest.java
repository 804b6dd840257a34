package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
    private static final Path CK = Path.of(System.getProperty("sodec.shared")).resolve("checkpoints");

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
    void brokenFilesGiveOneLine() {
        for (String f : new String[] {"truncated.pth.tar", "unsafe_pickle.pth", "overlap.safetensors", "past_eof.safetensors",
                "header_too_long.safetensors"}) {
            String[] lines = run(1, "convert", CK.resolve("broken").resolve(f).toString(), "-o", tmp.resolve("x.safetensors").toString());
            assertEquals(1, lines.length, String.join("\n", lines));
            assertTrue(lines[0].startsWith("sodec convert: " + f + ": "), lines[0]);
            assertTrue(!Files.exists(tmp.resolve("x.safetensors")));
        }
    }

    @Test
    void usageErrors() {
        assertTrue(run(2, "convert", "x")[0].contains("-o OUT is required"));
        assertTrue(run(2, "convert", "x", "-o", "y", "--dtype", "F8")[0].contains("--dtype must be F32, F16 or BF16"));
        assertTrue(run(2, "convert", "x", "-o", "y", "--kind", "foo")[0].contains("unknown model kind"));
    }

    @Test
    void convertsAnLdmVaeWithItsConfigToBf16() throws Exception {
        Path ldmCfg = tmp.resolve("ldm.json");
        String caseJson = Files.readString(CK.resolve("checkpoint.ldm.sd.ckpt/case.json"));
        var cfg = dev.sodec.engine.json.Config.parse(caseJson, "case").getObject("config").getObject("ldm_original_config");
        Files.writeString(ldmCfg, cfg.toString());
        Path out = tmp.resolve("unet.safetensors");
        run(0, "convert", CK.resolve("checkpoint.ldm.sd.ckpt/model.ckpt").toString(), "--kind", "unet", "--ldm-config",
                ldmCfg.toString(), "--dtype", "bf16", "-o", out.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("unet2d_condition", st.metadata().get("model"));
            assertEquals(DType.BF16, st.get("conv_in.weight").dtype());
            assertTrue(st.metadata().get("config").contains("\"attention_head_dim\":[2,4]"), st.metadata().get("config"));
        }
    }
}
