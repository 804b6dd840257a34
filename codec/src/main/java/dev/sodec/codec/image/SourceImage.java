package dev.sodec.codec.image;

import java.awt.image.BufferedImage;

/**
 * An input image as the codec codes it (8-bit RGB, upright) with the metadata of its file.
 *
 * @param format the file's format name as read ({@code png}, {@code jpeg}, {@code ppm} ...)
 */
public record SourceImage(BufferedImage image, ImageMetadata metadata, String format) {}
