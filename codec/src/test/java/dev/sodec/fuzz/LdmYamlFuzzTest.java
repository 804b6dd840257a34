package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.model.LdmYaml;
import dev.sodec.engine.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The LDM config YAML subset reader: any text reads as a mapping or is refused with a {@link CheckpointException}
 * naming the line; what it reads is plain JSON-shaped data (it writes as JSON).
 */
public class LdmYamlFuzzTest {
    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        Outcomes.expect(() -> Json.write(LdmYaml.parse("fuzz.yaml", text)), List.of(CheckpointException.class));
    }

    @FuzzTest
    void yaml(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
