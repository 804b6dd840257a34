package dev.sodec.codec.image;

import dev.sodec.codec.io.InputFiles;
import dev.sodec.codec.io.OutputFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Image files in and out. In: PNG, JPEG, PPM/PGM, GIF, BMP and TIFF, of any bit depth, gray or colour, with or
 * without alpha or palette, turned into the 8-bit RGB the codec codes ({@link RgbImages}) and stood upright by
 * their EXIF orientation; the header's size is checked against the pixel limit before any pixel is decoded. Out:
 * PNG, JPEG or PPM, written whole or not at all ({@link OutputFiles}).
 */
public final class ImageFiles {
    private ImageFiles() {}

    /** The largest input file read (a 2^26-pixel 16-bit PPM is 400 MB). */
    public static final long MAX_INPUT_BYTES = 1L << 30;
    /** JPEG quality of written JPEG files (as the ImageIO encoder counts it, 0..100). */
    public static final int JPEG_OUTPUT_QUALITY = 95;
    static final String SUPPORTED = "PNG, JPEG, PPM/PGM, GIF, BMP or TIFF";
    private static final Set<String> IMAGEIO_FORMATS = Set.of("png", "jpeg", "jpg", "gif", "bmp", "tif", "tiff");

    /** Reads an image file as the codec codes it (transparent pixels over white). */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        return read(file.toString(), maxPixels, RgbImages.WHITE).image();
    }

    /**
     * Reads {@code arg}, a path or {@code -} for standard input, with alpha composited over {@code background}, as
     * 8-bit sRGB (an ICC-tagged JPEG is converted; the metadata has no profile).
     */
    public static SourceImage read(String arg, long maxPixels, int background) throws IOException {
        return read(arg, maxPixels, background, false);
    }

    /**
     * Reads {@code arg}; with {@code keepIcc}, an RGB ICC profile stays with the pixels instead of being applied: the
     * pixels are the file's own values in that profile's colour space and the metadata carries the profile (what a
     * decoder that writes the profile back needs to show the same colours). Profiles of other colour spaces (CMYK,
     * gray) are applied or dropped as without {@code keepIcc}.
     */
    public static SourceImage read(String arg, long maxPixels, int background, boolean keepIcc) throws IOException {
        return decode(InputFiles.read(arg, MAX_INPUT_BYTES), InputFiles.displayName(arg), maxPixels, background, keepIcc);
    }

    /**
     * Decodes image file bytes as 8-bit sRGB; {@code name} prefixes error messages.
     *
     * @throws ImageFormatException for bytes that are not a supported image or an image over the limit
     */
    public static SourceImage decode(byte[] bytes, String name, long maxPixels, int background) throws IOException {
        return decode(bytes, name, maxPixels, background, false);
    }

    /** Decodes image file bytes, keeping an RGB ICC profile with the pixels when {@code keepIcc} ({@link #read(String, long, int, boolean)}). */
    public static SourceImage decode(byte[] bytes, String name, long maxPixels, int background, boolean keepIcc) throws IOException {
        try {
            ImageMetadata meta = MetadataReader.read(bytes);
            boolean iccKept = keepIcc && isRgbProfile(meta.icc());
            // an sRGB profile is left out of the metadata (decoders assume sRGB) but its pixels are read as they are
            if (meta.icc() != null && (!iccKept || IccProfiles.isSrgb(meta.icc()))) meta = meta.withoutIcc();
            BufferedImage raw;
            String format;
            if (Pnm.isPnm(bytes)) {
                raw = Pnm.read(bytes, maxPixels);
                format = bytes[1] == '2' || bytes[1] == '5' ? "pgm" : "ppm";
            } else {
                // ImageIO's JPEG reader converts from an embedded profile to sRGB (its PNG reader ignores iCCP):
                // without the APP2 segments it returns the file's own values
                DecodedRaw d = decodeWithImageIo(iccKept ? MetadataWriter.jpegWithoutIcc(bytes) : bytes, maxPixels);
                raw = d.image;
                format = d.format;
            }
            BufferedImage rgb = meta.orientation().apply(RgbImages.toRgb8(raw, background));
            return new SourceImage(rgb, meta, format);
        } catch (ImageTooLargeException e) {
            throw new ImageTooLargeException(name + ": " + e.getMessage());
        } catch (ImageFormatException e) {
            throw new ImageFormatException(name + ": " + e.getMessage());
        }
    }

    /** An ICC profile whose data colour space (header bytes 16..19) is RGB. */
    static boolean isRgbProfile(byte[] icc) {
        return icc != null && icc.length >= 128 && icc[16] == 'R' && icc[17] == 'G' && icc[18] == 'B' && icc[19] == ' ';
    }

    private record DecodedRaw(BufferedImage image, String format) {}

    private static DecodedRaw decodeWithImageIo(byte[] bytes, long maxPixels) throws IOException {
        // in memory: ImageIO.createImageInputStream would cache a stream in a temporary file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = null;
            while (readers.hasNext()) {
                ImageReader r = readers.next();
                if (IMAGEIO_FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
                    reader = r;
                    break;
                }
                r.dispose();
            }
            if (reader == null) throw new ImageFormatException("not a " + SUPPORTED + " image");
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                reader.setInput(in, true, true);
                Pixels.checkSize(reader.getWidth(0), reader.getHeight(0), maxPixels);
                return new DecodedRaw(reader.read(0), format);
            } catch (IIOException e) {
                throw new ImageFormatException("unreadable image (" + e.getMessage() + ")");
            } catch (ImageFormatException e) {
                throw e;
            } catch (RuntimeException e) {
                // ImageIO's decoders signal some malformed files with runtime exceptions
                throw new ImageFormatException("unreadable image (" + e + ")");
            } finally {
                reader.dispose();
            }
        }
    }

    /** The bytes of {@code img} as a file of {@code format}. */
    public static byte[] encode(BufferedImage img, ImageFormat format) throws IOException {
        return encode(img, format, ImageMetadata.NONE);
    }

    /**
     * The bytes of {@code img} as a file of {@code format} carrying {@code metadata}: PNG {@code iCCP}/{@code eXIf},
     * JPEG APP2/APP1; PPM has no place for it (dropped).
     */
    public static byte[] encode(BufferedImage img, ImageFormat format, ImageMetadata metadata) throws IOException {
        return switch (format) {
            case PPM -> Pnm.writePpm(img);
            case JPEG -> MetadataWriter.jpeg(encodePixels(img, format), metadata);
            case PNG -> MetadataWriter.png(encodePixels(img, format), metadata);
        };
    }

    private static byte[] encodePixels(BufferedImage img, ImageFormat format) throws IOException {
        return switch (format) {
            case PPM -> Pnm.writePpm(img);
            case JPEG -> JpegReference.encode(img, JPEG_OUTPUT_QUALITY);
            case PNG -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (MemoryCacheImageOutputStream s = new MemoryCacheImageOutputStream(out)) {
                    if (!ImageIO.write(img, "png", s)) throw new IOException("no PNG writer available");
                }
                yield out.toByteArray();
            }
        };
    }

    /** Writes {@code img} to {@code arg} (a path, or {@code -} for standard output) as {@code format}. */
    public static void write(BufferedImage img, String arg, ImageFormat format) throws IOException {
        write(img, arg, format, ImageMetadata.NONE);
    }

    /** Writes {@code img} with {@code metadata} ({@link #encode(BufferedImage, ImageFormat, ImageMetadata)}). */
    public static void write(BufferedImage img, String arg, ImageFormat format, ImageMetadata metadata) throws IOException {
        if (!InputFiles.STDIO.equals(arg)) OutputFiles.checkWritable(Path.of(arg));
        OutputFiles.write(encode(img, format, metadata), arg);
    }

    /** Writes a PNG, whole or not at all. */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        write(img, file.toString(), ImageFormat.PNG);
    }

    /** Writes bytes, whole or not at all. */
    public static void writeBytes(byte[] data, Path file) throws IOException {
        OutputFiles.write(data, file);
    }

    /** Fails early, with a clear message naming {@code file}, when it cannot be created. */
    public static void checkWritable(Path file) throws IOException {
        OutputFiles.checkWritable(file);
    }
}
