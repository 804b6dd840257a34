package dev.sodec.engine.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * A rectangle of non-overlapping windows of an image: {@code nwy x nwx} windows of {@code wh x ww} pixels whose
 * first starts at ({@code y0}, {@code x0}). OneDC's windowed attention block runs per window; windows of one
 * region form a uniform batch ({@link TensorCoreKernels#windowPartition}).
 */
public record WindowRegion(int y0, int x0, int wh, int ww, int nwy, int nwx) {
    public WindowRegion {
        if (y0 < 0 || x0 < 0 || wh < 1 || ww < 1 || nwy < 1 || nwx < 1) throw new IllegalArgumentException("window region " + this);
    }

    public int windows() {
        return nwy * nwx;
    }

    /**
     * The regions that tile an h x w image with windows of {@code size} (partial windows at the right and bottom
     * edges, as OneDC's patch attention takes them): the full windows, then the right column, the bottom row and
     * the corner where the image is not a multiple of the window; 1 to 4 regions.
     */
    public static List<WindowRegion> tiling(int h, int w, int size) {
        if (h < 1 || w < 1 || size < 1) throw new IllegalArgumentException("tiling of " + h + "x" + w + " by " + size);
        int fy = h / size, fx = w / size, ry = h % size, rx = w % size;
        List<WindowRegion> out = new ArrayList<>(4);
        if (fy > 0 && fx > 0) out.add(new WindowRegion(0, 0, size, size, fy, fx));
        if (fy > 0 && rx > 0) out.add(new WindowRegion(0, fx * size, size, rx, fy, 1));
        if (ry > 0 && fx > 0) out.add(new WindowRegion(fy * size, 0, ry, size, 1, fx));
        if (ry > 0 && rx > 0) out.add(new WindowRegion(fy * size, fx * size, ry, rx, 1, 1));
        return out;
    }
}
