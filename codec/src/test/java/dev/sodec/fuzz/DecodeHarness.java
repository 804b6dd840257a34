package dev.sodec.fuzz;

import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import java.awt.image.BufferedImage;
import java.util.HexFormat;
import java.util.List;

/** One fuzz input through {@link SodecCodec#decompress}: an image of the header's size, or a ContainerException. */
final class DecodeHarness {
    /**
     * Largest coded (padded) image the fuzzing codecs decode: 64x64, 64x128 and 128x64, i.e. one or two z positions,
     * so that a stream that does decode costs milliseconds and the fuzzer spends its time on hostile streams.
     */
    static final long MAX_PIXELS = 64 * 128;

    private DecodeHarness() {}

    static void decode(SodecCodec codec, byte[] data, boolean fidelity) throws Exception {
        byte[] c = Streams.forModel(data, codec.config().architecture().code, HexFormat.of().parseHex(codec.modelIdHex()));
        Outcomes.expect(() -> {
            BufferedImage img = codec.decompress(c, fidelity);
            Container h = Container.parse(c);
            Outcomes.check(img.getWidth() == h.width() && img.getHeight() == h.height(),
                    "decoded " + img.getWidth() + "x" + img.getHeight() + " for a " + h.width() + "x" + h.height() + " header");
        }, List.of(ContainerException.class));
    }
}
