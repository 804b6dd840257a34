package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsException;
import dev.sodec.engine.tensor.Tensor;
import java.util.List;

/**
 * The safetensors reader (every model file the engine loads): a file opens or is refused with a
 * {@link SafeTensorsException}; an opened file's every tensor is a view inside the data section whose first and
 * last byte can be read.
 */
public class SafeTensorsFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        var file = TempInput.write("fuzz.safetensors", data);
        Outcomes.expect(() -> {
            try (SafeTensors st = SafeTensors.open(file)) {
                long total = 0;
                for (String name : st.names()) {
                    Tensor t = st.get(name);
                    SafeTensors.Entry e = st.entry(name);
                    long bytes = t.numel() * t.dtype().byteSize;
                    Outcomes.check(bytes == e.end() - e.begin(), "tensor " + name + " view size differs from its offsets");
                    Tensors.touch(t);
                    total += bytes;
                }
                Outcomes.check(total <= data.length, "tensors cover more bytes than the file has");
                st.metadata().forEach((k, v) -> { });
            }
        }, List.of(SafeTensorsException.class));
    }

    @FuzzTest
    void safetensors(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
