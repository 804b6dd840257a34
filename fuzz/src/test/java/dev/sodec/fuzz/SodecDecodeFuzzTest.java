package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Assumptions;

/**
 * Full decode with a full SODEC model (the golden pipeline.sodec weights; {@link SodecModelFile}): entropy
 * decoding, g_s, then the generative decoder (ViT guidance, Hs/Ts, one UNet step, VAE decoder) on every stream
 * whose entropy decoding succeeds. Same contract as {@link HyperpriorDecodeFuzzTest}.
 */
public class SodecDecodeFuzzTest {
    private static SodecCodec codec;

    private static synchronized SodecCodec codec() {
        if (codec == null) {
            try {
                codec = SodecCodec.load(SodecModelFile.write(), CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return codec;
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        DecodeHarness.decode(codec(), data, false);
    }

    @FuzzTest
    void sodec(byte[] data) throws Exception {
        Assumptions.assumeTrue(SodecModelFile.available(), "no ../shared/golden/pipeline.sodec beside the checkout");
        fuzzerTestOneInput(data);
    }
}
