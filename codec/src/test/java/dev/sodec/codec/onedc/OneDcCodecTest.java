package dev.sodec.codec.onedc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.conformance.Comparison;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.format.OneDcSdc;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OneDC end to end with the shared tiny release converted as a user would: the API's compress/decompress, OneDC's own
 * .bin files, the z-only variant, errors, and determinism: the latents a stream decodes to do not depend on the
 * backend or thread count that encoded or decodes it.
 */
class OneDcCodecTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void convert() throws Exception {
        model = OneDcTestModels.convert(dir, "onedc-tiny.safetensors", false);
    }

    @Test
    void streamsEncodedOnEitherBackendDecodeToTheEncodersLatentsOnTheOther() throws Exception {
        OneDcGeometry geo = new OneDcGeometry(60, 100);
        Tensor x = OneDcImages.pad(OneDcImages.toModelInput(OneDcTestModels.photo(100, 60)), geo, false);
        try (OneDcModel m = OneDcModel.load(model); Backend cpu = Backends.create("cpu", 2); Backend emu = Backends.create("cuda-emulated", 2);
             Parallel one = new Parallel(1); Parallel three = new Parallel(3)) {
            OneDcCodec codec = m.codec();
            OneDcCodec.Encoded onCpu = codec.encode(cpu, one, x, null, geo, false);
            OneDcCodec.Encoded onEmu = codec.encode(emu, three, x, null, geo, false);
            for (OneDcCodec.Encoded e : new OneDcCodec.Encoded[] {onCpu, onEmu}) {
                for (Parallel par : new Parallel[] {one, three}) {
                    OneDcCodec.Latents l = codec.entropyDecode(par, OneDcFile.parse(e.file().encode()));
                    assertArrayEquals(e.zIndices(), l.zIndices());
                    assertArrayEquals(e.params().toFloatArray(), l.params().toFloatArray(), "step-0 params are bit-identical");
                    assertArrayEquals(e.yHat().toFloatArray(), l.yHat().toFloatArray(), "y_hat is bit-identical");
                }
            }
            // the same stream decoded by the two backends' networks: the same picture up to float rounding
            OneDcCodec.Latents l = codec.entropyDecode(three, onCpu.file());
            double rel = Comparison.compare("image", codec.decode(emu, l.yHat(), l.zHat(), geo), codec.decode(cpu, l.yHat(), l.zHat(), geo), 1, 1).relL2();
            assertTrue(rel < 1e-4, "cpu vs cuda-emulated decode rel_l2 " + rel);
        }
    }

    @Test
    void apiRoundTripReadsSdcAndOneDcBinFiles() throws Exception {
        BufferedImage img = OneDcTestModels.photo(130, 100);
        try (SodecCodec codec = SodecCodec.load(model, CodecOptions.defaults().withThreads(2))) {
            assertEquals("onedc", codec.architecture());
            assertTrue(codec.hasGenerativeDecoder());
            byte[] sdc = codec.compress(img);
            Container c = Container.parse(sdc);
            assertEquals(OneDcSdc.ONEDC, c.architectureCode());
            assertEquals(2, c.streams().size());
            BufferedImage back = codec.decompress(sdc);
            assertEquals(130, back.getWidth());
            assertEquals(100, back.getHeight());
            // OneDC's own layout of the same streams decodes to the same image
            byte[] bin = OneDcSdc.fromSdc(c).encode();
            assertTrue(sameImage(back, codec.decompress(bin)));

            // the reference's .bin file: its 8-bit image within 1 level of the reference's save_image output
            BufferedImage ref = codec.decompress(OneDcTestModels.io("in.file").toByteArray());
            byte[] u8 = OneDcTestModels.io("out.image_u8").toByteArray();
            int worst = 0;
            for (int y = 0; y < 100; y++) {
                for (int x = 0; x < 130; x++) {
                    int p = ref.getRGB(x, y);
                    int[] got = {(p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF};
                    for (int ch = 0; ch < 3; ch++) worst = Math.max(worst, Math.abs(got[ch] - (u8[(y * 130 + x) * 3 + ch] & 0xFF)));
                }
            }
            assertTrue(worst <= 1, "8-bit image differs from the reference's by " + worst);

            assertThrows(IllegalArgumentException.class, () -> codec.decompress(sdc, true), "OneDC has no fidelity decoder");
            byte[] truncated = Arrays.copyOf(bin, bin.length - 3);
            assertThrows(ContainerException.class, () -> codec.decompress(truncated));
            byte[] other = OneDcSdc.toSdc(OneDcSdc.fromSdc(c), new byte[8]).encode();
            ContainerException e = assertThrows(ContainerException.class, () -> codec.decompress(other));
            assertTrue(e.getMessage().startsWith("model mismatch"), e.getMessage());
            byte[] flipped = sdc.clone();
            flipped[flipped.length - 10] ^= 1;
            assertThrows(ContainerException.class, () -> codec.decompress(flipped));
        }
    }

    @Test
    void zOnlyModelWritesAndReadsZOnlyStreams() throws Exception {
        Path z = OneDcTestModels.convert(dir, "onedc-tiny-z.safetensors", true);
        try (SodecCodec codec = SodecCodec.load(z, CodecOptions.defaults().withThreads(2))) {
            assertEquals("onedc (z only)", codec.architecture());
            byte[] sdc = codec.compress(OneDcTestModels.photo(60, 50));
            Container c = Container.parse(sdc);
            assertEquals(OneDcSdc.ONEDC_Z_ONLY, c.architectureCode());
            assertEquals(1, c.streams().size());
            assertEquals(2, c.streams().get(0).length, "one 14-bit index for a 64x64 block");
            BufferedImage back = codec.decompress(sdc);
            assertEquals(60, back.getWidth());
            assertEquals(50, back.getHeight());
        }
    }

    private static boolean sameImage(BufferedImage a, BufferedImage b) {
        for (int y = 0; y < a.getHeight(); y++) for (int x = 0; x < a.getWidth(); x++) if (a.getRGB(x, y) != b.getRGB(x, y)) return false;
        return a.getWidth() == b.getWidth() && a.getHeight() == b.getHeight();
    }
}
