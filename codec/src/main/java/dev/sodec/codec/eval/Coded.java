package dev.sodec.codec.eval;

import java.awt.image.BufferedImage;

/**
 * One image coded by one codec at one setting.
 *
 * @param setting what was chosen, for reports ({@code q=7}, {@code -size 4242}, a model name)
 * @param bytes the size of the coded file
 * @param decoded the decoded image
 * @param encodeSeconds encode time, NaN where not measured (peers run as separate tools)
 * @param decodeSeconds decode time, NaN where not measured
 */
public record Coded(String setting, long bytes, BufferedImage decoded, double encodeSeconds, double decodeSeconds) {
    public Coded(String setting, long bytes, BufferedImage decoded) {
        this(setting, bytes, decoded, Double.NaN, Double.NaN);
    }
}
