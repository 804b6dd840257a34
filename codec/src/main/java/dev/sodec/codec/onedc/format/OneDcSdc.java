package dev.sodec.codec.onedc.format;

import dev.sodec.codec.container.Container;
import dev.sodec.codec.container.ContainerException;
import java.util.ArrayList;
import java.util.List;

/**
 * A OneDC bitstream in our {@code .sdc} container (codec/CONTAINER.md), which adds what OneDC's own layout lacks:
 * the model identity and a CRC. Architecture code {@link #ONEDC} carries the streams [y, z] and
 * {@link #ONEDC_Z_ONLY} (no y stream) carries [z]; a non-empty caption is one more stream at the end. The image
 * size is the container's width/height, the padding is OneDC's (right and bottom only, to multiples of 64). The
 * streams are OneDC's bytes unchanged, so {@link #toSdc} and {@link #fromSdc} convert losslessly between the two
 * layouts.
 */
public final class OneDcSdc {
    /** Container architecture code of a OneDC model (four-part y stream + FSQ z). */
    public static final int ONEDC = 3;
    /** Container architecture code of OneDC's z-only variant (z stream only). */
    public static final int ONEDC_Z_ONLY = 4;

    private OneDcSdc() {}

    /** True when {@code code} is one of the OneDC architecture codes. */
    public static boolean isOneDc(int code) {
        return code == ONEDC || code == ONEDC_Z_ONLY;
    }

    /** The container for {@code file} made with the model {@code modelId} (8 bytes). */
    public static Container toSdc(OneDcFile file, byte[] modelId) {
        OneDcGeometry g = file.geometry();
        List<byte[]> streams = new ArrayList<>();
        if (!file.zOnly()) streams.add(file.yStream());
        streams.add(file.zStream());
        if (file.caption().length > 0) streams.add(file.caption());
        return new Container(file.zOnly() ? ONEDC_Z_ONLY : ONEDC, modelId, g.width(), g.height(), 0, 0, g.padRight(),
                g.padBottom(), streams);
    }

    /**
     * The OneDC file a container holds.
     *
     * @throws ContainerException if it is not a OneDC container or its padding and streams disagree with the size
     */
    public static OneDcFile fromSdc(Container c) {
        int arch = c.architectureCode();
        if (!isOneDc(arch)) throw new ContainerException("not a OneDC image: container architecture code " + arch);
        OneDcGeometry g = new OneDcGeometry(c.height(), c.width());
        if (c.padLeft() != 0 || c.padTop() != 0 || c.padRight() != g.padRight() || c.padBottom() != g.padBottom()) {
            throw new ContainerException("corrupt header: OneDC padding (left, top, right, bottom) = (" + c.padLeft() + ", "
                    + c.padTop() + ", " + c.padRight() + ", " + c.padBottom() + "), expected (0, 0, " + g.padRight() + ", "
                    + g.padBottom() + ") for " + g.width() + "x" + g.height());
        }
        List<byte[]> s = c.streams();
        int base = arch == ONEDC ? 2 : 1;
        if (s.size() != base && s.size() != base + 1) {
            throw new ContainerException("corrupt header: " + s.size() + " streams in a OneDC" + (arch == ONEDC ? "" : " z-only")
                    + " container (" + base + ", or " + (base + 1) + " with a caption)");
        }
        byte[] y = arch == ONEDC ? s.get(0) : new byte[0];
        if (arch == ONEDC && y.length == 0) throw new ContainerException("corrupt container: empty OneDC y stream");
        byte[] z = s.get(base - 1);
        byte[] caption = s.size() > base ? s.get(base) : new byte[0];
        if (s.size() > base && caption.length == 0) throw new ContainerException("corrupt container: empty caption stream");
        try {
            return new OneDcFile(g, y, z, caption);
        } catch (IllegalArgumentException e) {
            throw new ContainerException("corrupt container: " + e.getMessage());
        }
    }

    /**
     * What {@link #read} found: the OneDC file and, for an {@code .sdc} container, the model id it names (null for
     * OneDC's own layout, which has none).
     */
    public record Parsed(OneDcFile file, byte[] modelId) {}

    /**
     * Reads either layout: an {@code .sdc} container (recognised by its magic) or OneDC's own {@code .bin} layout.
     * The two cannot be confused: a {@code .bin} file starting with the magic byte 0x89 would claim a height above
     * 2^31, which {@link OneDcFile#parse} refuses anyway.
     *
     * @throws ContainerException naming the defect
     */
    public static Parsed read(byte[] data) {
        if (Container.hasMagic(data)) {
            Container c = Container.parse(data);
            return new Parsed(fromSdc(c), c.modelId());
        }
        try {
            return new Parsed(OneDcFile.parse(data), null);
        } catch (ContainerException e) {
            throw new ContainerException("not a sodec compressed image (bad magic) nor a OneDC file (" + e.getMessage() + ")");
        }
    }
}
