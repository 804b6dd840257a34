package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.format.OneDcSdc;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Full OneDC decode through {@link SodecCodec#decompress} with a small OneDC model ({@link OneDcModelFile}: the
 * tiny release converted by the real converter): parse (either layout), z unpacking, the fixed-order prior networks,
 * four rANS steps, then semantic adaptor, codec decoder, UNet step, VAE decoder and crop. Any input decodes to an
 * image of its header's size or is refused with a {@link ContainerException}. Inputs starting with 0x89 are
 * containers: magic, version, model id and CRC are fixed up ({@link Streams#forModel}), and byte 5's parity picks
 * architecture 3 (y and z) or 4 (z only). Other inputs are OneDC's own layout, which has no CRC to get past. Images
 * are capped at 64x128 padded pixels ({@link DecodeHarness#MAX_PIXELS}) so a decode stays cheap.
 * Seeds: {@link MakeSeeds} (crops of a shared photo the tiny model compressed, in both layouts).
 */
public class OneDcDecodeFuzzTest {
    /** Loaded before the first input (null without the shared data; the JUnit test is then skipped). */
    private static final SodecCodec CODEC = OneDcModelFile.available() ? open() : null;

    private static SodecCodec open() {
        try {
            return SodecCodec.load(OneDcModelFile.write(), CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (CODEC == null) throw new IllegalStateException("no shared OneDC release (set -Dsodec.shared)");
        byte[] in = data;
        if (data.length > 5 && data[0] == Container.MAGIC[0]) {
            int arch = (data[5] & 1) != 0 ? OneDcSdc.ONEDC : OneDcSdc.ONEDC_Z_ONLY;
            in = Streams.forModel(data, arch, HexFormat.of().parseHex(CODEC.modelIdHex()));
        }
        byte[] c = in;
        Outcomes.expect(() -> {
            BufferedImage img = CODEC.decompress(c);
            OneDcGeometry g = OneDcSdc.read(c).file().geometry();
            Outcomes.check(img.getWidth() == g.width() && img.getHeight() == g.height(),
                    "decoded " + img.getWidth() + "x" + img.getHeight() + " for a " + g.width() + "x" + g.height() + " header");
        }, List.of(ContainerException.class));
    }

    @FuzzTest
    void onedcDecode(byte[] data) throws Exception {
        Assumptions.assumeTrue(OneDcModelFile.available(), "no ../shared/checkpoints/onedc beside the checkout");
        fuzzerTestOneInput(data);
    }
}
