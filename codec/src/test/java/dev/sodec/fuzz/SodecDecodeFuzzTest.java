package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Assumptions;

/**
 * Full decode with a full SODEC model (the golden pipeline.sodec weights; {@link SodecModelFile}): entropy
 * decoding, g_s, then the generative decoder (ViT guidance, Hs/Ts, one UNet step, VAE decoder). Same contract as
 * {@link HyperpriorDecodeFuzzTest}. A stream that decodes costs about 0.2 s in the generative decoder on one busy
 * core, so only inputs whose byte 6 is even take it; the others stop at g_s ({@code fidelity}). Byte 6 is part of
 * the model id, which {@link Streams#forModel} overwrites, so the choice costs the fuzzer nothing.
 */
public class SodecDecodeFuzzTest {
    /** Loaded before the first input (null without the shared golden data; the JUnit test is then skipped). */
    private static final SodecCodec CODEC = SodecModelFile.available() ? open() : null;

    private static SodecCodec open() {
        try {
            return SodecCodec.load(SodecModelFile.write(), CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (CODEC == null) throw new IllegalStateException("no shared golden data (set -Dsodec.shared)");
        boolean fidelity = data.length > 6 && (data[6] & 1) != 0;
        DecodeHarness.decode(CODEC, data, fidelity);
    }

    @FuzzTest
    void sodec(byte[] data) throws Exception {
        Assumptions.assumeTrue(SodecModelFile.available(), "no ../shared/golden/pipeline.sodec beside the checkout");
        fuzzerTestOneInput(data);
    }
}
