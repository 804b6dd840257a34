package dev.sodec.codec.cli;

import dev.sodec.codec.compression.Architecture;
import dev.sodec.codec.container.Container;
import dev.sodec.codec.image.IccProfiles;
import dev.sodec.engine.io.OneLine;
import dev.sodec.codec.io.InputFiles;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.format.OneDcSdc;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** {@code sodec info IN.sdc...}: the container header (or a OneDC .bin file's), no model needed. */
final class InfoCommand {
    private InfoCommand() {}

    static final CommandSpec SPEC = new CommandSpec("info", "IN.sdc...",
            "print a compressed file's header (model, size, padding, streams, bpp); - for stdin", List.of(), "");

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        if (a.positional().isEmpty()) throw new UsageException("no input given; " + SPEC.usage());
        boolean several = a.positional().size() > 1;
        int failed = 0;
        for (String in : a.positional()) {
            try {
                String text = describe(InputFiles.read(in, DecompressCommand.MAX_FILE_BYTES));
                if (several) out.println("file:         " + InputFiles.displayName(in));
                out.print(text);
                if (several) out.println();
            } catch (Exception e) {
                if (!several) throw e;
                failed++;
                err.println("sodec info: " + Batch.named(in, dev.sodec.codec.io.IoMessages.describe(e)));
            }
        }
        return failed > 0 ? 1 : 0;
    }

    static String describe(byte[] data) {
        if (!Container.hasMagic(data)) return describeOneDcBin(data);
        Container c = Container.parse(data);
        Architecture arch = Architecture.fromCode(c.architectureCode());
        StringBuilder s = new StringBuilder();
        String archName = arch != null ? arch.id : c.architectureCode() == OneDcSdc.ONEDC ? "onedc"
                : c.architectureCode() == OneDcSdc.ONEDC_Z_ONLY ? "onedc (z only)" : "unknown (code " + c.architectureCode() + ")";
        s.append("format:       sodec container version ").append(c.version()).append('\n');
        s.append("architecture: ").append(archName).append('\n');
        s.append("model:        ").append(ModelFinder.describe(c.modelId())).append('\n');
        s.append("model id:     ").append(c.modelIdHex()).append('\n');
        s.append("image size:   ").append(c.width()).append('x').append(c.height()).append('\n');
        s.append("padding:      left ").append(c.padLeft()).append(", top ").append(c.padTop()).append(", right ")
                .append(c.padRight()).append(", bottom ").append(c.padBottom()).append(" (coded ").append(c.paddedWidth())
                .append('x').append(c.paddedHeight()).append(")\n");
        StringBuilder st = new StringBuilder();
        String[] names = c.architectureCode() == OneDcSdc.ONEDC_Z_ONLY ? new String[] {"z", "caption"}
                : OneDcSdc.isOneDc(c.architectureCode()) ? new String[] {"y", "z", "caption"}
                : c.streams().size() == 2 ? new String[] {"y", "z"} : null;
        for (int i = 0; i < c.streams().size(); i++) {
            if (i > 0) st.append(", ");
            st.append(names == null || i >= names.length ? "#" + i : names[i]).append(' ').append(c.streams().get(i).length);
        }
        s.append("streams:      ").append(st).append(" bytes\n");
        s.append("metadata:     ").append(metadata(c)).append('\n');
        s.append(String.format(Locale.ROOT, "total:        %d bytes, %.4f bpp%n", data.length, data.length * 8.0 / ((long) c.width() * c.height())));
        return s.toString();
    }

    /** The carried chunks: "ICC profile 3144 bytes (Display P3), EXIF 512 bytes", or "none". */
    static String metadata(Container c) {
        if (c.chunks().isEmpty()) return "none";
        StringBuilder s = new StringBuilder();
        for (Container.Chunk ch : c.chunks()) {
            if (!s.isEmpty()) s.append(", ");
            byte[] d = ch.data();
            switch (ch.tag()) {
                case Container.ICC -> {
                    s.append("ICC profile ").append(d.length).append(" bytes");
                    String name = IccProfiles.description(d);
                    if (name != null) s.append(" (").append(OneLine.of(name)).append(')');
                }
                case Container.EXIF -> s.append("EXIF ").append(d.length).append(" bytes");
                default -> s.append("chunk '").append(ch.tag()).append("' ").append(d.length).append(" bytes");
            }
        }
        return s.toString();
    }

    /** OneDC's own layout (not a container): its header, or why the data is neither. */
    private static String describeOneDcBin(byte[] data) {
        OneDcFile f = OneDcSdc.read(data).file();
        OneDcGeometry g = f.geometry();
        StringBuilder s = new StringBuilder();
        s.append("format:       OneDC .bin layout (no model id, no CRC)\n");
        s.append("architecture: ").append(f.zOnly() ? "onedc (z only)" : "onedc").append('\n');
        s.append("image size:   ").append(g.width()).append('x').append(g.height()).append('\n');
        s.append("padding:      right ").append(g.padRight()).append(", bottom ").append(g.padBottom()).append(" (coded ")
                .append(g.paddedWidth()).append('x').append(g.paddedHeight()).append(")\n");
        s.append("streams:      y ").append(f.yStream().length).append(", z ").append(f.zStream().length).append(", caption ")
                .append(f.caption().length).append(" bytes\n");
        s.append(String.format(Locale.ROOT, "total:        %d bytes, %.4f bpp%n", data.length, data.length * 8.0 / ((long) g.width() * g.height())));
        return s.toString();
    }
}
