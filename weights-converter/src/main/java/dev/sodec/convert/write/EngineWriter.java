package dev.sodec.convert.write;

import dev.sodec.convert.model.EngineModel;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an {@link EngineModel} as the engine's safetensors: float weights in the chosen dtype (F32, F16, BF16;
 * converted one tensor at a time while streaming), integer tables unchanged, and {@code __metadata__} with
 * {@code format_version}, {@code model} (kind) and {@code config} (JSON).
 */
public final class EngineWriter {
    /** Version of the engine weight-file conventions (metadata keys, naming). */
    public static final String FORMAT_VERSION = "1";

    private EngineWriter() {}

    public static void write(EngineModel model, Path out, DType dtype, String source) throws IOException {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("output dtype must be F32, F16 or BF16, not " + dtype);
        }
        Map<String, Pending> w = new LinkedHashMap<>();
        for (Map.Entry<String, Pending> e : model.weights().entrySet()) {
            Pending p = e.getValue();
            DType target = !p.dtype().isFloat() ? p.dtype() : model.exactF32().test(e.getKey()) ? DType.F32 : dtype;
            if (target == p.dtype()) {
                w.put(e.getKey(), p);
            } else {
                w.put(e.getKey(), new Pending(target, p.shape(), () -> {
                    var t = p.data().get();
                    return target == DType.F32 ? t.toF32() : t.toFloatType(target);
                }));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format_version", FORMAT_VERSION);
        meta.put("model", model.kind());
        meta.put("config", Json.write(model.config()));
        meta.put("dtype", dtype.name());
        if (source != null) meta.put("source", source);
        meta.put("converter", "sodec weights-converter");
        SafeTensorsWriter.writePending(out, w, meta);
    }
}
