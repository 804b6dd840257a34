package dev.sodec.convert.read;

import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated and bit-flipped torch files (seeded) are refused with an IOException naming the file, or read; never a
 * RuntimeException from missing validation, a hang or an allocation driven by the corrupt bytes.
 */
class CorruptionTest {
    @TempDir
    Path tmp;

    private void check(Path f, String what) {
        try (Weights w = Checkpoints.open(f)) {
            for (var t : w.tensors().values()) t.toFloatArray(); // touch every byte a tensor claims
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(f.getFileName().toString() + ":"), what + ": " + e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            fail(what + ": " + e, e);
        }
    }

    @Test
    void truncationsAndBitFlips() throws Exception {
        Random r = new Random(7);
        for (String src : new String[] {"checkpoint.compressai.mbt2018_mean.legacy/model.pth.tar",
                "checkpoint.compressai.mbt2018_mean.train/checkpoint.pth.tar"}) {
            byte[] orig = Files.readAllBytes(caseDir(src.substring(0, src.indexOf('/'))).resolve(src.substring(src.indexOf('/') + 1)));
            Path f = tmp.resolve("c.pth");
            for (int i = 0; i < 16; i++) {
                int cut = i < 8 ? r.nextInt(orig.length) : r.nextInt(Math.min(orig.length, 4096));
                Files.write(f, java.util.Arrays.copyOf(orig, cut));
                check(f, src + " cut at " + cut);
            }
            // flips in the pickle area (first pages for the legacy stream; data.pkl follows the first local header)
            for (int i = 0; i < 80; i++) {
                byte[] b = orig.clone();
                int n = 1 + r.nextInt(3);
                for (int k = 0; k < n; k++) b[r.nextInt(Math.min(b.length, 6000))] ^= (byte) (1 << r.nextInt(8));
                Files.write(f, b);
                check(f, src + " flip #" + i);
            }
        }
    }
}
