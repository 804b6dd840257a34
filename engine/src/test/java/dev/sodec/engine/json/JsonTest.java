package dev.sodec.engine.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesTypesAndKeepsKeyOrder() {
        Map<String, Object> m = Json.parseObject("{\"b\": [1, 2.5, -3e2], \"a\": {\"x\": null, \"y\": true}, \"s\": \"q\\\"\\u0041\\n\"}");
        assertEquals(List.of("b", "a", "s"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, 2.5, -300.0), m.get("b"));
        assertEquals("q\"A\n", m.get("s"));
        assertTrue(((Map<?, ?>) m.get("a")).containsKey("x"));
    }

    @Test
    void roundTripsThroughWriter() {
        String text = "{\"a\":[1,2.5,\"x\\ty\"],\"b\":{\"c\":false,\"d\":null},\"e\":NaN}";
        Object v = Json.parse(text);
        assertEquals(v.toString(), Json.parse(Json.write(v)).toString());
    }

    @Test
    void rejectsMalformedAndHostileInput() {
        assertThrows(JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertThrows(JsonException.class, () -> Json.parse("[1,2"));
        assertThrows(JsonException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(JsonException.class, () -> Json.parse("\"unterminated"));
        assertThrows(JsonException.class, () -> Json.parse("[1] x"));
        assertThrows(JsonException.class, () -> Json.parse("[".repeat(100_000)));
    }

    @Test
    void configNamesMissingAndMistypedKeys() {
        Config c = Config.parse("{\"n\": 3, \"s\": \"x\", \"l\": [1, 2]}", "model.json");
        assertEquals(3, c.getInt("n"));
        assertEquals(2, c.getIntList("l").length);
        assertEquals(1, c.getIntList("n").length);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.getInt("m")).getMessage()
                .contains("model.json: missing config key 'm'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.getInt("s")).getMessage()
                .contains("config key 's' is not an int"));
    }
}
