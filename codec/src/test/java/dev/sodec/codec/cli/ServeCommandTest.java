package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.cli.CompressionCliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sodec serve's usage errors exit 2 with one line before anything is loaded or bound. */
class ServeCommandTest {
    @Test
    void usageErrorsAreOneLineAndExit2(@TempDir Path tmp) throws Exception {
        assertUsage(run("serve", "extra"), "serve takes no arguments, got 'extra'");
        assertUsage(run("serve", "--max-batch", "0"), "--max-batch must be at least 1, got 0");
        assertUsage(run("serve", "--port", "70000"), "--port must be at most 65535, got 70000");
        assertUsage(run("serve", "--deadline-ms", "soon"), "--deadline-ms expects an integer, got 'soon'");
        assertUsage(run("serve", "--backend", "tpu"), "unknown backend 'tpu'");
        Path empty = Files.writeString(tmp.resolve("token"), "\n");
        assertUsage(run("serve", "--token-file", empty.toString()), "--token-file " + empty + " holds no token");
    }

    @Test
    void aModelThatCannotBeFoundFailsWithExit1() {
        Result r = run("serve", "--port", "0", "--model", "/no/such/model.safetensors");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("sodec serve: /no/such/model.safetensors: no such model file"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void tokenComesFromTheFileFirstLine(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("t"), "  abc123  \nignored\n");
        assertEquals("abc123", ServeCommand.token(f.toString()));
    }

    private static void assertUsage(Result r, String message) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("sodec serve: " + message), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
