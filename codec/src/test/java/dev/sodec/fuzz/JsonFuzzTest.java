package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON reader (safetensors headers, model configs, golden cases): any text parses or fails with a
 * {@link JsonException}; what parses writes back to text that parses to the same value.
 */
public class JsonFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        Object[] parsed = new Object[1];
        Throwable t = Outcomes.expect(() -> parsed[0] = Json.parse(text), List.of(JsonException.class));
        if (t != null) return;
        String again = Json.write(parsed[0]);
        Outcomes.check(java.util.Objects.equals(Json.parse(again), parsed[0]), "JSON round trip changed the value: " + again);
    }

    @FuzzTest
    void json(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
