package dev.sodec.codec.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** The images named on a command line: files as given, folders expanded to the image files in them (sorted). */
public final class ImageSet {
    private ImageSet() {}

    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "ppm", "pgm", "pnm", "gif", "bmp", "tif", "tiff");

    public static List<String> expand(List<String> args) throws IOException {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(ImageSet::isImage).sorted().forEach(f -> out.add(f.toString()));
                }
            } else {
                out.add(a);
            }
        }
        return out;
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1)) && Files.isRegularFile(p);
    }
}
