package dev.sodec.codec.api;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.models.BundledModels;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decode time stays bounded for hostile streams: valid containers for the shipped model whose headers claim the
 * largest images and whose streams are junk, escape-heavy or endless. Each is refused within seconds and before any
 * image-sized allocation (the pixel limit is checked on the header; the z stream is decoded before any network
 * runs on the claimed size).
 */
class HostileStreamsTest {
    private static SodecCodec codec;

    @BeforeAll
    static void load() throws Exception {
        codec = SodecCodec.load(BundledModels.defaultModel().orElseThrow(), CodecOptions.defaults().withThreads(2));
    }

    @AfterAll
    static void close() {
        codec.close();
    }

    private static byte[] container(int w, int h, byte[] y, byte[] z) {
        return new Container(codec.config().architecture().code, HexFormat.of().parseHex(codec.modelIdHex()), w, h,
                0, 0, (64 - w % 64) % 64, (64 - h % 64) % 64, List.of(y, z)).encode();
    }

    private static void refusedQuickly(byte[] data, String expected) {
        ContainerException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ContainerException.class, () -> codec.decompress(data)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aHeaderBeyondThePixelLimitIsRefusedBeforeDecoding() {
        refusedQuickly(container(65535, 65535, new byte[8], new byte[8]), "exceeds this decoder's limit");
    }

    @Test
    void junkStreamsForTheLargestAllowedImageFailInTheZStream() {
        Random r = new Random(18);
        for (int len : new int[] {8, 4096, 1 << 20}) {
            byte[] junk = new byte[len];
            r.nextBytes(junk);
            junk[7] = 0x10; // a state inside the normalised interval, so decoding starts
            refusedQuickly(container(8192, 8192, junk, junk), "corrupt entropy-coded data");
        }
    }

    @Test
    void escapeHeavyAndEndlessStreamsAreCutShort() {
        // All-ones words: every symbol decodes as an escape with the largest nibble count the decoder accepts.
        byte[] ones = new byte[1 << 20];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        ones[7] = 0x7F; // below 2^63
        refusedQuickly(container(8192, 8192, ones, ones), "corrupt entropy-coded data");
        // A stream far longer than any symbol count needs.
        byte[] endless = new byte[16 << 20];
        endless[3] = (byte) 0x80; // state 2^31: the initial state
        refusedQuickly(container(8192, 8192, endless, endless), "corrupt entropy-coded data");
    }
}
