package dev.sodec.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.convert.torch.SyntheticTorchZip;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Big checkpoints stream through a small heap; size claims the file cannot back are refused before allocating. */
class StreamingTest {
    @TempDir
    Path tmp;

    @Test
    void a256MbCheckpointConvertsIn48MbOfHeap() throws Exception {
        long numel = 64L << 20; // 256 MiB of F32
        Path in = tmp.resolve("big.pth");
        SyntheticTorchZip.write(in, numel, numel);
        Path out = tmp.resolve("big.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx48m", "-XX:MaxDirectMemorySize=2g", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StreamingMain.class.getName(), in.toString(), out.toString()))
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        try (SafeTensors st = SafeTensors.open(out)) {
            Tensor w = st.get("w");
            assertEquals(numel, w.numel());
            for (long i : new long[] {0, 1, 100_003, numel / 2 + 7, numel - 1}) {
                float exp = Float.float16ToFloat(Float.floatToFloat16(SyntheticTorchZip.value(i)));
                assertEquals(exp, Float.float16ToFloat(w.storage().getAtIndex(Tensor.I16_LE, i)), "w[" + i + "]");
            }
        }
        assertTrue(Files.size(out) > numel * 2);
    }

    @Test
    void storageClaimLargerThanItsRecordIsRefused() throws Exception {
        Path in = tmp.resolve("liar.pth");
        SyntheticTorchZip.write(in, 1L << 40, 16);
        CheckpointException e = assertThrows(CheckpointException.class, () -> {
            try (Weights w = Checkpoints.open(in)) {
                throw new AssertionError("accepted");
            }
        });
        assertTrue(e.getMessage().startsWith("liar.pth: "), e.getMessage());
        assertTrue(e.getMessage().contains("archive/data/0 has 64 bytes"), e.getMessage());
    }

    @Test
    void storageClaimWhoseByteSizeOverflowsIsRefused() throws Exception {
        Path in = tmp.resolve("overflow.pth");
        SyntheticTorchZip.write(in, 1L << 62, 16); // 2^62 floats: 2^64 bytes wrap to 0 in a long multiply
        CheckpointException e = assertThrows(CheckpointException.class, () -> {
            try (Weights w = Checkpoints.open(in)) {
                throw new AssertionError("accepted");
            }
        });
        assertTrue(e.getMessage().startsWith("overflow.pth: storage 0 claims 4611686018427387904 x FloatStorage"), e.getMessage());
    }
}
