package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.torch.StorageRef;
import dev.sodec.convert.torch.TorchUnpickler;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The allow-list pickle interpreter on its own (data.pkl of torch zips, every pickle of legacy files): any bytes
 * load to plain values or are refused with a {@link CheckpointException}; nothing is executed, and the reader
 * never consumes past the bytes it was given.
 */
public class TorchPickleFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        TorchUnpickler up = new TorchUnpickler(MemorySegment.ofArray(data), "fuzz.pkl", storages);
        Throwable t = Outcomes.expect(up::load, List.of(CheckpointException.class));
        if (t == null) Outcomes.check(up.position() <= data.length, "read past the end: " + up.position());
    }

    @FuzzTest
    void pickle(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
