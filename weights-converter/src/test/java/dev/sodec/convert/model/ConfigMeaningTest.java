package dev.sodec.convert.model;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigMeaningTest {
    private static String diff(String key, String expected, String got) {
        return ConfigMeaning.difference(key, Json.parseObject(expected), Json.parseObject(got));
    }

    @Test
    void oneValueEqualsTheSameValueForEveryBlock() {
        String three = "\"block_out_channels\": [32, 64, 64]";
        assertNull(diff("attention_head_dim", "{" + three + ", \"attention_head_dim\": 2}", "{\"attention_head_dim\": [2, 2, 2]}"));
        assertNull(diff("attention_head_dim", "{\"attention_head_dim\": [2, 2, 2]}", "{" + three + ", \"attention_head_dim\": 2}"));
        assertNull(diff("transformer_layers_per_block", "{" + three + ", \"transformer_layers_per_block\": 1}",
                "{\"transformer_layers_per_block\": [1, 1, 1]}"));
        assertNull(diff("only_cross_attention", "{" + three + ", \"only_cross_attention\": false}",
                "{\"only_cross_attention\": [false, false, false]}"));
    }

    @Test
    void differentMeaningsStayDifferent() {
        String three = "\"block_out_channels\": [32, 64, 64]";
        String d = diff("attention_head_dim", "{" + three + ", \"attention_head_dim\": 2}", "{\"attention_head_dim\": [2, 4, 2]}");
        assertNotNull(d);
        assertTrue(d.contains("attention_head_dim") && d.contains("[2,4,2]"), d);
        // a list for another number of blocks, or no block count to check against
        assertNotNull(diff("attention_head_dim", "{" + three + ", \"attention_head_dim\": 2}", "{\"attention_head_dim\": [2, 2]}"));
        assertNotNull(diff("attention_head_dim", "{\"attention_head_dim\": 2}", "{\"attention_head_dim\": [2, 2]}"));
        // only per-block keys may switch form
        assertNotNull(diff("in_channels", "{" + three + ", \"in_channels\": 4}", "{\"in_channels\": [4, 4, 4]}"));
        assertNotNull(diff("attention_head_dim", "{" + three + ", \"attention_head_dim\": 2}", "{}"));
    }

    @Test
    void numbersCompareByValue() {
        assertNull(diff("scaling_factor", "{\"scaling_factor\": 1}", "{\"scaling_factor\": 1.0}"));
        assertNull(ConfigMeaning.difference("x", Map.of("x", Map.of("a", 2L)), Map.of("x", Map.of("a", 2.0))));
        assertNotNull(diff("scaling_factor", "{\"scaling_factor\": 0.18215}", "{\"scaling_factor\": 0.18216}"));
        assertNotNull(diff("use_linear_projection", "{\"use_linear_projection\": true}", "{\"use_linear_projection\": 1}"));
    }
}
