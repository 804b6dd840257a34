import java.io.File;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Run with no JVM options at all: the ImageIO plugin is registered by the codec jar alone, and a .sdc file's size is
 * read from its header (no engine code runs).
 */
public class PluginCheck {
    public static void main(String[] args) throws Exception {
        if (!Arrays.asList(ImageIO.getReaderFormatNames()).contains("sdc")) throw new AssertionError("no sdc reader registered");
        if (!Arrays.asList(ImageIO.getWriterFormatNames()).contains("sdc")) throw new AssertionError("no sdc writer registered");
        try (ImageInputStream in = ImageIO.createImageInputStream(new File(args[0]))) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            System.out.println("plugin: " + r.getOriginatingProvider().getDescription(null) + ", " + args[0] + " is "
                    + r.getWidth(0) + "x" + r.getHeight(0));
        }
    }
}
