package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormatException;
import dev.sodec.codec.image.Pixels;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

/**
 * The image input path of {@code sodec compress}: {@link ImageFiles#read} (ImageIO's PNG/JPEG decoders behind our
 * header-size check) then {@link Pixels#toTensor} (our codability checks). An input gives a (1, 3, H, W) tensor or
 * fails with an {@link ImageFormatException} or an IOException carrying one line. The JDK's decoders are not
 * instrumented, so coverage guidance sees our code and the decoders' exceptions only.
 */
public class ImageInputFuzzTest {
    static final long MAX_PIXELS = 1 << 20;

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        var file = TempInput.write("fuzz.img", data);
        Outcomes.expect(() -> {
            BufferedImage img = ImageFiles.read(file, MAX_PIXELS);
            Tensor x = Pixels.toTensor(img);
            Outcomes.check(x.dim(2) == img.getHeight() && x.dim(3) == img.getWidth(), "tensor shape differs from the image");
        }, List.of(ImageFormatException.class, IOException.class));
    }

    @FuzzTest
    void image(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
