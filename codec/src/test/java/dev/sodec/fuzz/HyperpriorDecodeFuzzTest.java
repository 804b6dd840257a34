package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Full decode with the shipped hyperprior model through the public API (container, z and y rANS, h_s, g_s,
 * crop): any stream for this model decodes to an image of its header's size or is refused with a
 * ContainerException. The container's own checks are satisfied by {@link Streams#forModel}.
 */
public class HyperpriorDecodeFuzzTest {
    private static final SodecCodec CODEC = open();

    private static SodecCodec open() {
        try {
            return SodecCodec.load(BundledModel.file(), CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        DecodeHarness.decode(CODEC, data, false);
    }

    @FuzzTest
    void hyperprior(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
