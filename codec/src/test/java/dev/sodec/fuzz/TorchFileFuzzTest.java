package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensorsException;
import dev.sodec.engine.tensor.Tensor;
import java.util.List;

/**
 * A whole weight file as the converter opens it (container detection, torch zip central directory, legacy pickle
 * stream, storages, strided views): it gives a state dict whose every tensor can be read to its last element, or
 * is refused with a {@link CheckpointException} (a safetensors-looking file with a {@link SafeTensorsException}).
 */
public class TorchFileFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        var file = TempInput.write("fuzz.pth", data);
        Outcomes.expect(() -> {
            try (Weights w = Checkpoints.open(file)) {
                for (Tensor t : w.tensors().values()) {
                    Tensors.touch(t);
                }
            }
        }, List.of(CheckpointException.class, SafeTensorsException.class));
    }

    @FuzzTest
    void torchFile(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
