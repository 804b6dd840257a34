package dev.sodec.codec.compression;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Engine model files made from the golden CompressAI weights (random weights, N=16, M=24). */
public final class TestModels {
    private TestModels() {}

    public static Path golden() {
        return Path.of(System.getProperty("sodec.shared")).resolve("golden");
    }

    /** Writes {@code dir/name} from the golden case of {@code arch} with the model-file metadata. */
    public static Path write(Path dir, String name, Architecture arch) throws IOException {
        return write(dir, name, arch, Map.of(), "{\"architecture\":\"" + arch.id + "\",\"N\":16,\"M\":24}", "1");
    }

    public static Path write(Path dir, String name, Architecture arch, Map<String, dev.sodec.engine.tensor.Tensor> extra,
                             String configJson, String formatVersion) throws IOException {
        return write(dir, name, arch, extra, configJson, formatVersion, Map.of());
    }

    public static Path write(Path dir, String name, Architecture arch, Map<String, dev.sodec.engine.tensor.Tensor> extra,
                             String configJson, String formatVersion, Map<String, String> moreMeta) throws IOException {
        String caseId = arch == Architecture.MBT2018_MEAN ? "model.compressai.mbt2018_mean" : "model.compressai.bmshj2018_hyperprior";
        Path out = dir.resolve(name);
        try (SafeTensors st = SafeTensors.open(golden().resolve(caseId).resolve("weights.safetensors"))) {
            Map<String, dev.sodec.engine.tensor.Tensor> t = new LinkedHashMap<>(st.tensors());
            t.putAll(extra);
            Map<String, String> meta = new LinkedHashMap<>();
            if (configJson != null) meta.put("config", configJson);
            if (formatVersion != null) meta.put("format_version", formatVersion);
            meta.putAll(moreMeta);
            SafeTensorsWriter.write(out, t, meta);
        }
        return out;
    }
}
