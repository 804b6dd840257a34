package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sodec.codec.api.CodecOptions;
import org.junit.jupiter.api.Test;

/**
 * A call that codes one small image on the CPU takes one compute thread (start-up is the JIT's, and a second thread
 * only competes with it); --threads, a larger image or another backend keep what was asked.
 */
class SingleImageThreadsTest {
    private static CodecOptions chosen(long pixels, String... argv) throws Exception {
        Args a = CompressCommand.SPEC.parse(argv);
        return CommonOptions.forSingleImage(CommonOptions.codecOptions(a), a, pixels);
    }

    @Test
    void oneSmallImageRunsOnOneThread() throws Exception {
        assertEquals(1, chosen(451 * 300, "in.png", "-o", "x.sdc").threads());
        assertEquals(1, chosen(640 * 480, "in.png", "-o", "x.sdc").threads());
    }

    @Test
    void largerImagesAndExplicitChoicesKeepTheirThreads() throws Exception {
        assertEquals(0, chosen(640 * 480 + 1, "in.png", "-o", "x.sdc").threads());
        assertEquals(0, chosen(451 * 300, "in.png", "-o", "x.sdc", "--threads", "0").threads());
        assertEquals(2, chosen(451 * 300, "in.png", "-o", "x.sdc", "--threads", "2").threads());
        assertEquals(0, chosen(451 * 300, "in.png", "-o", "x.sdc", "--backend", "cuda-emulated").threads());
    }
}
