package dev.sodec.codec.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressionModelTest {
    @TempDir
    Path tmp;

    @Test
    void loadsAModelFileAndIdentifiesItByTheHashOfItsBytes() throws Exception {
        Path f = TestModels.write(tmp, "m.safetensors", Architecture.MBT2018_MEAN);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
        try (CompressionModel m = CompressionModel.load(f)) {
            assertEquals(new CompressionConfig(Architecture.MBT2018_MEAN, 16, 24), m.config());
            assertArrayEquals(Arrays.copyOf(sha, 8), m.modelId());
        }
    }

    @Test
    void acceptsTheConvertersSpellingOfTheArchitecture() throws Exception {
        // weights-converter EngineWriter: metadata model = "compressai.<zoo name>", config = {"N", "M"}
        Path f = TestModels.write(tmp, "conv.safetensors", Architecture.BMSHJ2018_HYPERPRIOR, Map.of(), "{\"N\":16,\"M\":24}", "1",
                Map.of("model", "compressai.bmshj2018_hyperprior"));
        try (CompressionModel m = CompressionModel.load(f)) {
            assertEquals(Architecture.BMSHJ2018_HYPERPRIOR, m.config().architecture());
        }
        Path none = TestModels.write(tmp, "none.safetensors", Architecture.BMSHJ2018_HYPERPRIOR, Map.of(), "{\"N\":16,\"M\":24}", "1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompressionModel.load(none)).getMessage().contains("architecture"));
    }

    @Test
    void refusesFilesThatBreakTheContract() throws Exception {
        String ok = "{\"architecture\":\"mbt2018-mean\",\"N\":16,\"M\":24}";
        Path noCfg = TestModels.write(tmp, "a.safetensors", Architecture.MBT2018_MEAN, Map.of(), null, "1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompressionModel.load(noCfg)).getMessage().contains("no 'config'"));
        Path badVer = TestModels.write(tmp, "b.safetensors", Architecture.MBT2018_MEAN, Map.of(), ok, "7");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompressionModel.load(badVer)).getMessage().contains("format_version 7"));
        Path arch = TestModels.write(tmp, "c.safetensors", Architecture.MBT2018_MEAN, Map.of(),
                "{\"architecture\":\"cheng2020\",\"N\":16,\"M\":24}", "1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompressionModel.load(arch)).getMessage().contains("cheng2020"));
        // sizes that disagree with the tensors
        Path sizes = TestModels.write(tmp, "d.safetensors", Architecture.MBT2018_MEAN, Map.of(),
                "{\"architecture\":\"mbt2018-mean\",\"N\":16,\"M\":32}", "1");
        assertThrows(MissingWeightException.class, () -> CompressionModel.load(sizes));
        // the other architecture's weights
        Path other = TestModels.write(tmp, "e.safetensors", Architecture.BMSHJ2018_HYPERPRIOR, Map.of(), ok, "1");
        assertThrows(MissingWeightException.class, () -> CompressionModel.load(other));
        // a tensor the model does not use
        Path extra = TestModels.write(tmp, "f.safetensors", Architecture.MBT2018_MEAN,
                Map.of("g_a.9.weight", Tensor.fromFloats(new float[] {1f}, 1)), ok, "1");
        assertTrue(assertThrows(MissingWeightException.class, () -> CompressionModel.load(extra)).getMessage().contains("g_a.9.weight"));
    }
}
