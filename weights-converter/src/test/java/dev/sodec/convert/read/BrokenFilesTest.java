package dev.sodec.convert.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.TestFiles;
import dev.sodec.engine.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every file in ../shared/checkpoints/broken is refused with a message naming the file and the problem described
 * in broken/expected.json (the key phrase of its quoted example message).
 */
class BrokenFilesTest {
    /** The phrases of expected.json's example message that identify the problem, per file. */
    private static final Map<String, List<String>> PHRASES = Map.of(
            "truncated.pth.tar", List.of("truncated or corrupt zip archive", "end of central directory not found"),
            "overlap.safetensors", List.of("tensor b data_offsets [32,96] overlap tensor a [0,64]"),
            "past_eof.safetensors", List.of("tensor w data_offsets end 1048576 exceeds the 64-byte data section"),
            "header_too_long.safetensors", List.of("header length 1099511627776 exceeds file size"),
            "unsafe_pickle.pth", List.of("data.pkl references global os.system, which is not an allowed tensor-rebuild global"));

    @Test
    void everyBrokenFileIsRefusedWithItsProblemNamed() throws Exception {
        Path dir = TestFiles.checkpoints().resolve("broken");
        List<Object> expected = (List<Object>) Json.parse(Files.readString(dir.resolve("expected.json")));
        TreeSet<String> seen = new TreeSet<>();
        for (Object o : expected) {
            Map<?, ?> e = (Map<?, ?>) o;
            String file = (String) e.get("file");
            String expect = (String) e.get("expect");
            List<String> phrases = PHRASES.get(file);
            assertTrue(phrases != null, "a broken file without a check: " + file);
            for (String p : phrases) assertTrue(expect.contains(p), "expected.json for " + file + " no longer says '" + p + "'");
            IOException ex = assertThrows(IOException.class, () -> {
                try (Weights w = Checkpoints.open(dir.resolve(file))) {
                    throw new AssertionError(file + " was accepted with " + w.tensors().size() + " tensors");
                }
            }, file);
            String msg = ex.getMessage();
            assertTrue(msg.startsWith(file + ":"), "message does not start with the file name: " + msg);
            if (file.equals("unsafe_pickle.pth")) assertTrue(msg.contains("GLOBAL opcode at byte 16"), msg); // as disassembled in README
            for (String p : phrases) assertTrue(msg.contains(p), file + ": message '" + msg + "' lacks '" + p + "'");
            seen.add(file);
        }
        assertEquals(new TreeSet<>(PHRASES.keySet()), seen, "expected.json lists other files than this test checks");
    }
}
