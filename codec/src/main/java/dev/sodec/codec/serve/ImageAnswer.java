package dev.sodec.codec.serve;

import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The image formats a decode answers in, chosen by the request's {@code Accept}: {@code image/png} (also for
 * none, {@code *}{@code /*} and {@code image/*}), {@code image/jpeg}, or raw 8-bit RGB ({@code
 * application/octet-stream}: rows top to bottom, R G B per pixel, the size in {@code X-Image-Width} and {@code
 * X-Image-Height}).
 */
enum ImageAnswer {
    PNG("image/png"), JPEG("image/jpeg"), RAW_RGB("application/octet-stream");

    final String mediaType;

    ImageAnswer(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The first acceptable type in the header's order (q-values are not weighed); 406 when none is. */
    static ImageAnswer negotiate(String accept) throws HttpError {
        if (accept == null || accept.isBlank()) return PNG;
        for (String part : accept.split(",")) {
            String t = part.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "image/png", "image/*", "*/*" -> { return PNG; }
                case "image/jpeg", "image/jpg" -> { return JPEG; }
                case "application/octet-stream" -> { return RAW_RGB; }
                default -> { }
            }
        }
        throw new HttpError(406, "cannot answer in '" + accept + "': accept image/png, image/jpeg or application/octet-stream (raw RGB)");
    }

    ApiResponse answer(BufferedImage img) throws IOException {
        Map<String, String> size = Map.of("X-Image-Width", Integer.toString(img.getWidth()), "X-Image-Height", Integer.toString(img.getHeight()));
        byte[] body = switch (this) {
            case PNG -> ImageFiles.encode(img, ImageFormat.PNG);
            case JPEG -> ImageFiles.encode(img, ImageFormat.JPEG);
            case RAW_RGB -> rgb(img);
        };
        return ApiResponse.ok(mediaType, body, size);
    }

    static byte[] rgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w];
        for (int y = 0, o = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int p : row) {
                out[o++] = (byte) (p >> 16);
                out[o++] = (byte) (p >> 8);
                out[o++] = (byte) p;
            }
        }
        return out;
    }
}
