package dev.sodec.convert.read;

import static dev.sodec.convert.TestFiles.assertSameTensor;
import static dev.sodec.convert.TestFiles.assertSameTensors;
import static dev.sodec.convert.TestFiles.caseDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The torch readers against each other and against safetensors files of the same weights. */
class TorchReadTest {
    private static final String CAI = "checkpoint.compressai.mbt2018_mean.";

    @Test
    void compressaiFlavoursGiveIdenticalTensors() throws Exception {
        try (Weights zip = Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar"));
             Weights legacy = Checkpoints.open(caseDir(CAI + "legacy").resolve("model.pth.tar"));
             Weights views = Checkpoints.open(caseDir(CAI + "views").resolve("model.pth.tar"));
             Weights train = Checkpoints.open(caseDir(CAI + "train").resolve("checkpoint.pth.tar"))) {
            assertEquals("torch zip", zip.container());
            assertEquals("torch legacy", legacy.container());
            assertTrue(zip.tensors().size() > 30, "state dict has " + zip.tensors().size() + " entries");
            assertEquals(DType.I32, zip.tensors().get("entropy_bottleneck._quantized_cdf").dtype());
            assertSameTensors(zip.tensors(), legacy.tensors(), "legacy vs zip");
            assertSameTensors(zip.tensors(), views.tensors(), "views vs zip");
            assertSameTensors(zip.tensors(), train.tensors(), "train['state_dict'] vs zip");
            // The views file stores these non-contiguously / in a shared NaN-padded storage: no NaN may leak.
            for (String k : new String[] {"g_s.0.weight", "g_a.1.gamma", "h_s.4.bias", "h_s.4.weight"}) {
                for (float v : views.tensors().get(k).toFloatArray()) assertFalse(Float.isNaN(v), k + " has NaN");
            }
        }
    }

    @Test
    void f16FlavourIsTheF32WeightsRoundedToF16() throws Exception {
        try (Weights zip = Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar"));
             Weights f16 = Checkpoints.open(caseDir(CAI + "f16").resolve("model_f16.pth.tar"))) {
            assertEquals(zip.tensors().keySet(), f16.tensors().keySet());
            int floats = 0;
            for (String k : zip.tensors().keySet()) {
                Tensor a = zip.tensors().get(k), b = f16.tensors().get(k);
                if (a.dtype() != DType.F32) {
                    assertSameTensor(a, b, "f16 file int tensor " + k);
                    continue;
                }
                floats++;
                assertEquals(DType.F16, b.dtype(), k);
                float[] af = a.toFloatArray(), bf = b.toFloatArray();
                for (int i = 0; i < af.length; i++) {
                    // torch's .half() is round-to-nearest-even, exactly Float.floatToFloat16.
                    float expect = Float.float16ToFloat(Float.floatToFloat16(af[i]));
                    assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(bf[i]), k + "[" + i + "]");
                }
            }
            assertTrue(floats > 20);
        }
    }

    @Test
    void preupdateTrainingCheckpointHasEmptyTablesAndTheSameParameters() throws Exception {
        try (Weights zip = Checkpoints.open(caseDir(CAI + "zip").resolve("model.pth.tar"));
             Weights pre = Checkpoints.open(caseDir(CAI + "train_preupdate").resolve("checkpoint.pth.tar"))) {
            assertEquals(0, pre.tensors().get("entropy_bottleneck._quantized_cdf").numel());
            assertEquals(0, pre.tensors().get("gaussian_conditional.scale_table").numel());
            assertSameTensor(zip.tensors().get("g_a.0.weight"), pre.tensors().get("g_a.0.weight"), "g_a.0.weight");
        }
    }

    @Test
    void unetBinEqualsSafetensors() throws Exception {
        var dir = caseDir("checkpoint.diffusers.sd.tiny").resolve("unet");
        try (Weights bin = Checkpoints.open(dir.resolve("diffusion_pytorch_model.bin"));
             Weights st = Checkpoints.open(dir.resolve("diffusion_pytorch_model.safetensors"))) {
            assertEquals("torch zip", bin.container());
            assertSameTensors(st.tensors(), bin.tensors(), "unet .bin vs .safetensors");
        }
    }

    @Test
    void clipBinEqualsSafetensors() throws Exception {
        var dir = caseDir("checkpoint.transformers.clip_vision.tiny");
        try (Weights bin = Checkpoints.open(dir.resolve("pytorch_model.bin"));
             Weights st = Checkpoints.open(dir.resolve("model.safetensors"))) {
            assertSameTensors(st.tensors(), bin.tensors(), "clip .bin vs .safetensors");
            assertTrue(st.tensors().containsKey("vision_model.post_layernorm.weight"));
        }
    }

    @Test
    void ldmCkptEqualsLdmSafetensors() throws Exception {
        try (Weights ckpt = Checkpoints.open(caseDir("checkpoint.ldm.sd.ckpt").resolve("model.ckpt"));
             Weights st = Checkpoints.open(caseDir("checkpoint.ldm.sd.safetensors").resolve("model.safetensors"))) {
            assertSameTensors(st.tensors(), ckpt.tensors(), "ldm .ckpt['state_dict'] vs .safetensors");
        }
    }
}
