package dev.sodec.codec.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example, verbatim (the block after {@code <!-- consumer-example -->}), compiled against the codec
 * and run as a consumer runs it: plain {@code java -cp ... Example}, no JVM option. (codec/src/test/consumer/run.sh
 * does the same through a Maven project that depends on the installed artifact.)
 */
class ReadmeExampleTest {
    static String example(String readme) {
        Matcher m = Pattern.compile("<!-- consumer-example -->\\s*```java\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has a java block after <!-- consumer-example -->");
        return m.group(1);
    }

    @Test
    void runsVerbatimWithoutJvmOptions(@TempDir Path tmp) throws Exception {
        String source = example(Files.readString(Path.of("../README.md")));
        Files.writeString(tmp.resolve("Example.java"), source);
        String cp = ForkedJvm.classPath();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-d", tmp.toString(), "-cp", cp, tmp.resolve("Example.java").toString());
        assertEquals(0, rc, "the README example compiles: " + diag.toString(StandardCharsets.UTF_8));
        Files.copy(Path.of(System.getProperty("sodec.shared")).resolve("images/chelsea.png"), tmp.resolve("in.png"));

        ForkedJvm.Result r = ForkedJvm.run(tmp, tmp + java.io.File.pathSeparator + cp, "Example");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().strip().matches("[1-9][0-9]* bytes; out.sdc is 451 wide"), r.toString());
        assertEquals(1, r.warnings(), "one warning that the Vector API is off: " + r);
        BufferedImage out = ImageIO.read(tmp.resolve("out.png").toFile());
        assertNotNull(out, "out.png is a PNG");
        assertEquals(451, out.getWidth());
        assertEquals(300, out.getHeight());
        assertTrue(Files.size(tmp.resolve("out.sdc")) > 100);
    }
}
