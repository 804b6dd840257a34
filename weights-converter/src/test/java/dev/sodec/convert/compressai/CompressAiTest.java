package dev.sodec.convert.compressai;

import static dev.sodec.convert.TestFiles.assertSameTensor;
import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompressAiTest {
    private static final String CAI = "checkpoint.compressai.mbt2018_mean.";

    @Test
    void architectureAndSizesFromShapes() throws Exception {
        try (Conversion c = CompressAi.convert(Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar")))) {
            assertEquals("compressai.mbt2018_mean", c.model().kind());
            assertEquals(16L, c.model().config().get("N"));
            assertEquals(24L, c.model().config().get("M"));
            assertTrue(c.model().exactF32().test("g_a.0.weight"));
        }
    }

    /**
     * The pre-update hook: tables a builder returns replace the empty ones. The stand-in builder hands over the
     * post-update tables of the same weights (zip flavour); they must equal the pre-update case's expected table
     * outputs (what update(force=True) gave in the reference), which also pins the zip file's tables.
     */
    @Test
    void preUpdateTablesComeFromTheBuilderHook() throws Exception {
        try (Weights post = Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar"));
             SafeTensors io = SafeTensors.open(caseDir(CAI + "train_preupdate").resolve("io.safetensors"));
             Conversion c = CompressAi.convert(Checkpoints.open(caseDir(CAI + "train_preupdate").resolve("checkpoint.pth.tar")),
                     (sd, cfg) -> {
                         assertEquals(0, sd.get("entropy_bottleneck._quantized_cdf").numel());
                         Map<String, Tensor> t = new LinkedHashMap<>();
                         for (String k : CompressAi.TABLE_KEYS) t.put(k, post.tensors().get(k));
                         return t;
                     }, false)) {
            for (String k : CompressAi.TABLE_KEYS) {
                Tensor got = c.model().weights().get(k).data().get();
                assertSameTensor(io.get("out." + k), got, k);
            }
        }
    }

    /** Without a builder on the class path (this module alone) a checkpoint whose tables must be built is refused. */
    @Test
    void preUpdateCheckpointNeedsAnInstalledBuilder() throws Exception {
        assertEquals(null, EntropyTableBuilder.installed());
        CheckpointException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointException.class,
                () -> CompressAi.convert(Checkpoints.open(caseDir(CAI + "train_preupdate").resolve("checkpoint.pth.tar"))));
        assertTrue(e.getMessage().contains("update()") && e.getMessage().contains("no entropy table builder"), e.getMessage());
    }

    /** A rebuild replaces stored tables with the builder's; without it the stored ones are kept untouched. */
    @Test
    void rebuildAsksTheBuilderEvenWhenTablesAreStored() throws Exception {
        Map<String, Tensor> marker = new LinkedHashMap<>();
        marker.put("entropy_bottleneck._offset", Tensor.fromInts(new int[16], 16));
        EntropyTableBuilder stub = (sd, cfg) -> marker;
        try (Conversion c = CompressAi.convert(Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar")), stub, true)) {
            assertSameTensor(marker.get("entropy_bottleneck._offset"), c.model().weights().get("entropy_bottleneck._offset").data().get(), "rebuilt");
        }
        try (Weights w = Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar"));
             Conversion c = CompressAi.convert(Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar")), stub, false)) {
            assertSameTensor(w.tensors().get("entropy_bottleneck._offset"), c.model().weights().get("entropy_bottleneck._offset").data().get(), "stored");
        }
    }
}
