package dev.sodec.codec.eval;

import dev.sodec.codec.image.Metrics;
import java.awt.image.BufferedImage;

/**
 * Rate and quality of one coded image.
 *
 * @param image the input's name
 * @param series the curve the row belongs to, averaged over images ({@code sodec low}, {@code JPEG (ImageIO) at sodec
 *     low's size})
 * @param codec the codec
 * @param setting what was chosen for this image ({@code q=7})
 * @param psnr dB over RGB, +Infinity for identical images
 */
public record Measurement(String image, String series, String codec, String setting, int width, int height, long bytes,
                          double psnr, double msSsim, double encodeSeconds, double decodeSeconds) {
    public double bpp() {
        return bytes * 8.0 / ((long) width * height);
    }

    /** Measures {@code coded} against {@code original}. */
    public static Measurement of(String image, String series, String codec, BufferedImage original, Coded coded) {
        return new Measurement(image, series, codec, coded.setting(), original.getWidth(), original.getHeight(), coded.bytes(),
                Metrics.psnr(original, coded.decoded()), Metrics.msSsim(original, coded.decoded()), coded.encodeSeconds(),
                coded.decodeSeconds());
    }
}
