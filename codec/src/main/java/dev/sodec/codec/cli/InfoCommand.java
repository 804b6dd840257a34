package dev.sodec.codec.cli;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.format.OneDcSdc;
import java.nio.file.Path;
import java.util.Set;

/** {@code sodec info IN.sdc|IN.bin}: the container header (or a OneDC .bin header), no model needed. */
final class InfoCommand {
    private InfoCommand() {}

    static int run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of(), Set.of());
        if (a.positional().size() != 1) throw new UsageException("usage: sodec info IN.sdc");
        byte[] data = DecompressCommand.readContainerFile(Path.of(a.positional().get(0)));
        if (!Container.hasMagic(data)) return oneDcBin(data);
        Container c = Container.parse(data);
        Architecture arch = Architecture.fromCode(c.architectureCode());
        System.out.println("format:       sodec container version " + Container.VERSION);
        String archName = arch != null ? arch.id : c.architectureCode() == OneDcSdc.ONEDC ? "onedc"
                : c.architectureCode() == OneDcSdc.ONEDC_Z_ONLY ? "onedc (z only)" : "unknown (code " + c.architectureCode() + ")";
        System.out.println("architecture: " + archName);
        System.out.println("model id:     " + c.modelIdHex());
        System.out.println("image size:   " + c.width() + "x" + c.height());
        System.out.println("padding:      left " + c.padLeft() + ", top " + c.padTop() + ", right " + c.padRight()
                + ", bottom " + c.padBottom() + " (coded " + c.paddedWidth() + "x" + c.paddedHeight() + ")");
        StringBuilder s = new StringBuilder();
        String[] names = c.architectureCode() == OneDcSdc.ONEDC_Z_ONLY ? new String[] {"z", "caption"}
                : OneDcSdc.isOneDc(c.architectureCode()) ? new String[] {"y", "z", "caption"}
                : c.streams().size() == 2 ? new String[] {"y", "z"} : null;
        for (int i = 0; i < c.streams().size(); i++) {
            if (i > 0) s.append(", ");
            s.append(names == null || i >= names.length ? "#" + i : names[i]).append(' ').append(c.streams().get(i).length);
        }
        System.out.println("streams:      " + s + " bytes");
        System.out.printf("total:        %d bytes, %.4f bpp%n", data.length, data.length * 8.0 / ((long) c.width() * c.height()));
        return 0;
    }

    /** OneDC's own layout (not a container): its header, or the parse error. */
    private static int oneDcBin(byte[] data) {
        OneDcFile f = OneDcSdc.read(data).file();
        OneDcGeometry g = f.geometry();
        System.out.println("format:       OneDC .bin layout (no model id, no CRC)");
        System.out.println("architecture: " + (f.zOnly() ? "onedc (z only)" : "onedc"));
        System.out.println("image size:   " + g.width() + "x" + g.height());
        System.out.println("padding:      right " + g.padRight() + ", bottom " + g.padBottom() + " (coded " + g.paddedWidth() + "x" + g.paddedHeight() + ")");
        System.out.println("streams:      y " + f.yStream().length + ", z " + f.zStream().length + ", caption " + f.caption().length + " bytes");
        System.out.printf("total:        %d bytes, %.4f bpp%n", data.length, data.length * 8.0 / ((long) g.width() * g.height()));
        return 0;
    }
}
