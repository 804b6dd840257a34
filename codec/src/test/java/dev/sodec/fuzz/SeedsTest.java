package dev.sodec.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.onedc.format.OneDcSdc;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormatException;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed seeds are what their names say: the valid ones are accepted all the way through (so replaying and
 * mutating them exercises the deep paths), the broken ones are refused. Without this a seed could quietly stop
 * parsing after a format change and the corpora would only test the first check.
 */
class SeedsTest {
    private static final Path RES = Path.of("src/test/resources/dev/sodec/fuzz");

    private static Path seed(String target, String name) {
        try (var dirs = Files.list(RES.resolve(target + "FuzzTestInputs"))) {
            return dirs.findFirst().orElseThrow().resolve(name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void torchSeedsOpenWithEveryTensor() throws Exception {
        for (String name : new String[] {"state_dict.pth", "train_checkpoint.pth.tar", "legacy.pth"}) {
            try (Weights w = Checkpoints.open(seed("TorchFile", name))) {
                assertEquals(java.util.List.of("conv.weight", "conv.bias", "view.t", "entropy._offset", "half"),
                        java.util.List.copyOf(w.tensors().keySet()), name);
                // view.t is the transposed view [3, 2] stride [1, 3] at offset 1 of 0.5 * i
                assertArrayEquals(new float[] {0.5f, 2f, 1f, 2.5f, 1.5f, 3f}, w.tensors().get("view.t").toFloatArray(), name);
                assertArrayEquals(new int[] {3, -1, 7}, w.tensors().get("entropy._offset").toIntArray(), name);
            }
        }
        assertThrows(java.io.IOException.class, () -> Checkpoints.open(seed("TorchFile", "unsafe_pickle.pth")).close());
        // 686 bytes claiming a 10^13-element stride-0 view: refused before the copy is sized (was an OutOfMemoryError)
        var e = assertThrows(java.io.IOException.class, () -> Checkpoints.open(seed("TorchFile", "expanded_view_10e13.pth")).close());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("view of 10000000000000 elements over a 12-element storage"), e.getMessage());
    }

    @Test
    void safetensorsSeedOpens() throws Exception {
        try (SafeTensors st = SafeTensors.open(seed("SafeTensors", "model_style.safetensors"))) {
            assertEquals(3, st.names().size());
        }
    }

    @Test
    void streamSeedsDecode() throws Exception {
        CodecOptions small = CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS);
        try (SodecCodec c = SodecCodec.load(BundledModel.file(), small)) {
            for (String n : new String[] {"coffee_1x1.sdc", "coffee_64x64.sdc", "coffee_100x50.sdc", "coffee_60x120.sdc", "coffee_33x17.sdc"}) {
                var img = c.decompress(Files.readAllBytes(seed("HyperpriorDecode", n)));
                assertEquals(n, "coffee_" + img.getWidth() + "x" + img.getHeight() + ".sdc");
            }
        }
        Assumptions.assumeTrue(SodecModelFile.available(), "no shared golden data");
        try (SodecCodec c = SodecCodec.load(SodecModelFile.write(), small)) {
            assertEquals(48, c.decompress(Files.readAllBytes(seed("SodecDecode", "astronaut_48x32.sdc"))).getWidth());
        }
    }

    @Test
    void oneDcRansSeedsAreTheGoldenStreamsAndDecodeToTheReferenceSymbols() throws Exception {
        Path golden = SodecModelFile.shared().resolve("golden");
        Assumptions.assumeTrue(Files.isDirectory(golden.resolve("onedc.four_part.n32")), "no shared golden data");
        String[][] cases = {{"golden_gauss_4calls.bin", "onedc.rans.gauss.4calls"}, {"golden_random_1call.bin", "onedc.rans.random.1call"},
            {"golden_random_negidx.bin", "onedc.rans.random.negidx"}};
        for (String[] c : cases) {
            try (GoldenCase g = GoldenCase.open(golden.resolve(c[1]))) {
                OneDcRansFuzzTest.Input in = OneDcRansFuzzTest.Input.of(Files.readAllBytes(seed("OneDcRans", c[0])));
                assertArrayEquals(g.expected("bytes").toByteArray(), in.stream(), c[0]);
                assertArrayEquals(g.expected("decoded").toIntArray(), in.decode(), c[0]);
            }
        }
        try (GoldenCase g = GoldenCase.open(golden.resolve("onedc.four_part.n32"))) {
            int[] want = java.util.stream.IntStream.range(0, 4).mapToObj(k -> g.expected("symbols_" + k).toIntArray())
                    .flatMapToInt(java.util.Arrays::stream).toArray();
            assertArrayEquals(want, OneDcRansFuzzTest.Input.of(Files.readAllBytes(seed("OneDcRans", "golden_four_part_n32.bin"))).decode());
        }
    }

    @Test
    void oneDcStreamSeedsDecodeToTheirNamedSize() throws Exception {
        Assumptions.assumeTrue(OneDcModelFile.available(), "no shared OneDC release");
        CodecOptions small = CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS);
        int decoded = 0;
        try (SodecCodec c = SodecCodec.load(OneDcModelFile.write(), small); var files = Files.list(seed("OneDcDecode", "any").getParent())) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                var img = c.decompress(Files.readAllBytes(f));
                assertEquals(n.replaceFirst("^chelsea_(\\d+x\\d+).*", "$1"), img.getWidth() + "x" + img.getHeight(), n);
                // the container target's copy is the same file
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(seed("OneDcContainer", n)), n);
                decoded++;
            }
        }
        assertEquals(13, decoded); // five crops in both layouts, the 64x64 one also z-only and captioned (.sdc, .bin)
        for (String g : new String[] {"golden_container_100x130.bin", "golden_codec_128x192.bin", "golden_pipeline_100x130.bin"}) {
            assertTrue(OneDcSdc.read(Files.readAllBytes(seed("OneDcContainer", g))).file().yStream().length > 0, g);
        }
    }

    @Test
    void imageSeedsAreReadOrRefusedAsTheirKind() throws Exception {
        // every kind is accepted now: gray, palette and alpha images are converted to 8-bit RGB
        for (String ok : new String[] {"rgb.png", "rgb.jpg", "palette.png", "argb.png", "text_and_icc_bombs.png", "gray.png", "gray.jpg"}) {
            var img = ImageFiles.read(seed("ImageInput", ok), 1 << 20);
            assertTrue(img.getWidth() > 0 && img.getHeight() > 0, ok);
        }
        assertThrows(ImageFormatException.class, () -> ImageFiles.read(seed("ImageInput", "rgb.png"), 4), "over the pixel limit");
    }
}
