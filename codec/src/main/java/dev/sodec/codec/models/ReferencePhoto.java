package dev.sodec.codec.models;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * The photo every model's nominal rate is measured on ({@code /dev/sodec/reference/chelsea.png}, 451x300, CC0), so
 * that models of different families and sizes can be put in one order of rate ({@link QualityLadder}).
 */
public final class ReferencePhoto {
    private static final String RESOURCE = "/dev/sodec/reference/chelsea.png";

    private ReferencePhoto() {}

    public static BufferedImage image() throws IOException {
        try (InputStream in = ReferencePhoto.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("the reference photo " + RESOURCE + " is missing from the jar");
            BufferedImage img = ImageIO.read(in);
            if (img == null) throw new IOException("the reference photo " + RESOURCE + " cannot be decoded");
            return img;
        }
    }

    /** The bits per pixel of the whole compressed file {@code compress} makes of the reference photo. */
    public static double bitsPerPixel(Function<BufferedImage, byte[]> compress) throws IOException {
        BufferedImage img = image();
        return compress.apply(img).length * 8.0 / ((long) img.getWidth() * img.getHeight());
    }
}
