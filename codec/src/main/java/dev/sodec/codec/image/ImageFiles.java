package dev.sodec.codec.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** PNG and JPEG in, PNG out, through ImageIO, with the size checked before any pixel is decoded. */
public final class ImageFiles {
    private ImageFiles() {}

    /**
     * Reads a PNG or JPEG file. The header's size is checked against {@code maxPixels} before decoding (a small
     * file may claim a huge image), and the decoded image against {@link Pixels#checkCodable}.
     */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new ImageFormatException(file + ": cannot be opened as an image");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new ImageFormatException(file + ": not a PNG or JPEG image");
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                if (!format.equals("png") && !format.equals("jpeg") && !format.equals("jpg")) {
                    throw new ImageFormatException(file + ": " + format + " images are not supported (PNG or JPEG only)");
                }
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                Pixels.checkSize(w, h, maxPixels);
                BufferedImage img = reader.read(0);
                Pixels.checkCodable(img);
                return img;
            } catch (IIOException e) {
                throw new ImageFormatException(file + ": unreadable image (" + e.getMessage() + ")");
            } finally {
                reader.dispose();
            }
        }
    }

    /** Fails early, with a clear message, when {@code file} cannot be created (missing folder, a directory). */
    public static void checkWritable(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IOException("cannot write " + file + ": folder " + dir + " does not exist");
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + file + ": it is a folder");
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + file + ": folder " + dir + " is not writable");
    }

    /** Writes a PNG all or nothing ({@link AtomicOutput}): a failure never leaves a partial file under the name. */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        checkWritable(file);
        AtomicOutput.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
        });
    }

    /** Writes bytes all or nothing ({@link AtomicOutput}). */
    public static void writeBytes(byte[] data, Path file) throws IOException {
        checkWritable(file);
        AtomicOutput.write(file, out -> out.write(data));
    }
}
