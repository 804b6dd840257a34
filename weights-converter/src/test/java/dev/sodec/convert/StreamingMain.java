package dev.sodec.convert;

import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.tensor.DType;
import java.nio.file.Path;

/** Converts args[0] (any state dict, names kept) to args[1] in F16: run in a small-heap JVM by StreamingTest. */
public final class StreamingMain {
    public static void main(String[] args) throws Exception {
        try (Conversion c = Converter.raw(Path.of(args[0]))) {
            EngineWriter.write(c.model(), Path.of(args[1]), DType.F16, c.source());
        }
        System.out.println("max heap " + Runtime.getRuntime().maxMemory());
    }
}
