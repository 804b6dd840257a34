package dev.sodec.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OneLineTest {
    @Test
    void controlCharactersAreEscapedAndPlainTextIsKept() {
        String plain = "model.safetensors: tensor g_a.0.weight has unknown dtype F8 (é, 日本)";
        assertSame(plain, OneLine.of(plain));
        assertEquals("bad escape '\\\\n' at \\r\\t\\u0000\\u007f\\u2028\\ufffd", OneLine.of("bad escape '\\\n' at \r\t\u0000\u007f\u2028\ufffd"));
        assertNull(OneLine.of(null));
    }

    @Test
    void longMessagesKeepTheirHeadAndTail() {
        String m = "f.pth: bad integer '" + "7".repeat(70_000) + "' (at byte 12)";
        String s = OneLine.of(m);
        assertTrue(s.length() < OneLine.MAX_CHARS + 40, s.length() + " characters");
        assertTrue(s.startsWith("f.pth: bad integer '777") && s.endsWith("777' (at byte 12)"), s);
        assertTrue(s.contains(" ...[" + (m.length() - OneLine.MAX_CHARS) + " characters]... "), s);
    }
}
