package dev.sodec.codec.image;

import java.util.Locale;

/** The image formats the codec writes, chosen by the output's extension or by name. */
public enum ImageFormat {
    PNG("png"), JPEG("jpg"), PPM("ppm");

    /** The usual extension, without the dot. */
    public final String extension;

    ImageFormat(String extension) {
        this.extension = extension;
    }

    /** The format a file name asks for by its extension (case-insensitive). */
    public static ImageFormat fromFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        String ext = dot < 0 || n.lastIndexOf('/') > dot ? "" : n.substring(dot + 1);
        return switch (ext) {
            case "png" -> PNG;
            case "jpg", "jpeg" -> JPEG;
            case "ppm", "pnm" -> PPM;
            default -> throw new IllegalArgumentException("cannot tell the image format of " + name + " from its extension"
                    + (ext.isEmpty() ? "" : " '." + ext + "'") + ": use .png, .jpg or .ppm, or --format png|jpeg|ppm");
        };
    }

    /** A format by name: png, jpeg (or jpg), ppm. */
    public static ImageFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "png" -> PNG;
            case "jpg", "jpeg" -> JPEG;
            case "ppm", "pnm" -> PPM;
            default -> throw new IllegalArgumentException("unknown image format '" + s + "' (png, jpeg, ppm)");
        };
    }
}
